-- memory.hog: holds N MB of resident memory in a process of its own (python3) until
-- rolled back, or for `duration` at most. It refuses, before taking anything, an amount
-- that would leave less than `margin_mb` of what the machine has available, counting
-- both MemAvailable and the memory limit of the cgroup faultline runs in (v1 or v2,
-- its own and every parent's): a hog must never make the kernel's OOM killer choose.
local function read(path)
  local result = run({"cat", path})
  if result and result.code == 0 then return result.out end
end

-- The tightest cgroup room (limit - usage) in MB from `dir` up to `root`, or nil.
local function cgroup_room(root, dir, limit_file, usage_file)
  local room
  while true do
    local limit = tonumber((read(root .. dir .. "/" .. limit_file) or ""):match("^(%d+)"))
    local usage = tonumber((read(root .. dir .. "/" .. usage_file) or ""):match("^(%d+)"))
    if limit and usage and limit < (1 << 60) then
      local mb = (limit - usage) // (1024 * 1024)
      if not room or mb < room then room = mb end
    end
    if dir == "" or dir == "/" then return room end
    dir = dir:match("^(.*)/[^/]*$") or ""
  end
end

local function available_mb()
  local kb = tonumber((read("/proc/meminfo") or ""):match("MemAvailable:%s+(%d+)"))
  if not kb then error("cannot read MemAvailable from /proc/meminfo") end
  local mb, source = kb // 1024, "MemAvailable"
  local groups = read("/proc/self/cgroup") or ""
  local v2 = groups:match("0::(%S*)")
  local v1 = groups:match("%d+:[%w,]*memory[%w,]*:(%S*)")
  local room
  if v1 then
    room = cgroup_room("/sys/fs/cgroup/memory", v1, "memory.limit_in_bytes", "memory.usage_in_bytes")
  elseif v2 then
    room = cgroup_room("/sys/fs/cgroup", v2, "memory.max", "memory.current")
  end
  if room and room < mb then mb, source = room, "the cgroup's memory limit" end
  return mb, source
end

-- Why `p` must not be hogged now, or nil.
local function refusal(p)
  local available, source = available_mb()
  if p.mb > available - p.margin_mb then
    return string.format("%d MB would leave less than the %d MB margin free (%d MB available, by %s); refused",
                         p.mb, p.margin_mb, available, source)
  end
end

faultline.fault {
  name = "memory.hog",
  summary = "Hold N MB of resident memory until rolled back; refuses to leave less than a margin free.",
  params = {
    {name = "mb", kind = "integer", required = true, doc = "megabytes to hold (touched, so resident)"},
    {name = "margin_mb", kind = "integer", default = 512,
     doc = "refuse when less than this would be left available (MemAvailable and cgroup limit)"},
    {name = "duration", kind = "duration", default = "5m",
     doc = "the hog exits on its own after this, even if nothing rolls it back"},
  },
  validate = function(p)
    if p.mb < 1 then return "mb must be at least 1", "mb" end
    if p.margin_mb < 64 then return "margin_mb must be at least 64", "margin_mb" end
  end,
  describe = function(p) return string.format("hold %d MB of memory", p.mb) end,
  preflight = function(p)
    if run({"python3", "-c", "pass"}).code ~= 0 then return "memory.hog needs python3 on the target" end
    return refusal(p)
  end,
  inject = function(p)
    local refused = refusal(p)  -- again: memory may have gone since preflight
    if refused then error(refused) end
    journal({hog = false})
    local script = string.format(
      "import time, sys\nheld = b'\\x01' * (%d * 1024 * 1024)\nprint(len(held), flush=True)\ntime.sleep(%.3f)\n",
      p.mb, p.duration / 1000)
    local hog = start({"python3", "-c", script})
    journal({hog = hog})
    -- Resident before inject returns: the drill measures from here.
    local deadline = now() + 20
    while now() < deadline do
      local status = read("/proc/" .. hog.pid .. "/status") or ""
      local rss = tonumber(status:match("VmRSS:%s+(%d+)"))
      if rss and rss // 1024 >= p.mb then return end
      if not alive(hog) then error("the hog process exited before it held the memory") end
      sleep("20ms")
    end
    error("the hog did not hold " .. p.mb .. " MB within 20s")
  end,
  rollback = function(state)
    if not state.hog then return false end
    return stop(state.hog)
  end,
}
