#!/bin/sh
# Checks the include directions README "Architecture" promises:
#   runner/core includes nothing else of ours; faults/, plugins/ and reports/ include
#   only runner/core; nothing includes the CLI.
root=${1:-.}
status=0
check() {  # folder, allowed include prefix regex
  bad=$(grep -rnE '#include "(runner|faults|reports|plugins)/' "$root/$1" --include='*.h' --include='*.cc' |
        grep -vE "#include \"($2)" || true)
  if [ -n "$bad" ]; then
    echo "$1 includes what it must not:"; echo "$bad"; status=1
  fi
}
check runner/core 'runner/core/'
check faults 'runner/core/|faults/'
check reports 'runner/core/|reports/'
check plugins 'runner/core/|plugins/'
bad=$(grep -rn '#include "runner/cli/' "$root" --include='*.h' --include='*.cc' | grep -v "^$root/runner/cli/" || true)
[ -z "$bad" ] || { echo "only runner/cli may include runner/cli:"; echo "$bad"; status=1; }
[ $status -eq 0 ] && echo "architecture: include directions hold"
exit $status
