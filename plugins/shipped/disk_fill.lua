-- disk.fill: fills the filesystem holding a folder up to a percentage of its space with
-- one file (fallocate: the blocks are really taken), journaled before it is written, and
-- removed on rollback and by recover. It never goes past 99%.
local function usage(path)
  local result = run({"df", "-P", "-B1", path})
  if not result or result.code ~= 0 then
    error("cannot measure the filesystem of " .. path .. ": " .. (result and result.err or "df"))
  end
  local size, used, available = result.out:match("\n%S+%s+(%d+)%s+(%d+)%s+(%d+)")
  if not size then error("cannot read df's answer for " .. path) end
  return tonumber(size), tonumber(used), tonumber(available)
end

faultline.fault {
  name = "disk.fill",
  summary = "Fill the filesystem holding `path` to `percent` full with one file; removed on rollback.",
  params = {
    {name = "path", kind = "string", required = true, doc = "a folder on the filesystem to fill; the file goes here"},
    {name = "percent", kind = "integer", required = true, doc = "how full to make it, 1..99 (as df counts: used / (used + available))"},
  },
  validate = function(p)
    if p.percent < 1 or p.percent > 99 then return "percent must be 1..99", "percent" end
    if not p.path:match("^/") then return "path must be absolute", "path" end
  end,
  describe = function(p) return string.format("fill %s to %d%%", p.path, p.percent) end,
  inject = function(p)
    local _, used, available = usage(p.path)
    local wanted = (used + available) * p.percent // 100
    local bytes = wanted - used
    if bytes <= 0 then
      log(string.format("%s is already %d%% full or more; nothing to fill", p.path, p.percent))
      return
    end
    local file = p.path:gsub("/$", "") .. "/.faultline-disk-fill"
    journal({file = file})
    local made = run({"fallocate", "-l", tostring(bytes), file}, {timeout = "60s"})
    if made.code ~= 0 then error("fallocate " .. file .. " failed: " .. made.err) end
  end,
  rollback = function(state)
    if run({"test", "-e", state.file}).code ~= 0 then return false end
    local removed = run({"rm", "-f", state.file})
    if removed.code ~= 0 then error("cannot remove " .. state.file .. ": " .. removed.err) end
  end,
}
