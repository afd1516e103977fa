-- cpu.burn: keeps N cores busy, one busy-looping process per core, in process groups
-- journaled before they run (recover stops them after a crash) and rolled back by
-- stopping them. Each burner also ends on its own after `duration`, so a burner can
-- outlive neither its drill nor a forgotten recover by more than that.
faultline.fault {
  name = "cpu.burn",
  summary = "Keep N cores busy (one busy loop each) until rolled back, or for `duration` at most.",
  params = {
    {name = "cores", kind = "integer", default = 1, doc = "busy processes, one core each (1..64)"},
    {name = "duration", kind = "duration", default = "5m",
     doc = "each burner stops on its own after this, even if nothing rolls it back"},
  },
  validate = function(p)
    if p.cores < 1 or p.cores > 64 then return "cores must be 1..64", "cores" end
    if p.duration < 100 then return "duration must be at least 100ms", "duration" end
  end,
  describe = function(p) return string.format("burn %d core(s)", p.cores) end,
  inject = function(p)
    local burners = {}
    journal({burners = burners})
    local seconds = string.format("%.3f", p.duration / 1000)
    for i = 1, p.cores do
      burners[i] = start({"timeout", "-s", "KILL", seconds, "sh", "-c", "while :; do :; done"})
      journal({burners = burners})
    end
  end,
  rollback = function(state)
    local stopped = false
    for _, burner in ipairs(state.burners or {}) do
      if stop(burner) then stopped = true end
    end
    return stopped
  end,
}
