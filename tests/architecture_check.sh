#!/bin/sh
# Checks the architecture README "Architecture" promises:
#   runner/core (the contracts) includes nothing else of ours; runner/os (the OS layer)
#   only runner/core; faults/ and plugins/ include only runner/core (never runner/os:
#   they reach the system through a Target); reports/ only runner/core and runner/os;
#   nothing includes the CLI. And the calls that act on the system (signals, process
#   creation, connections, libcurl) appear nowhere outside runner/os.
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
check runner/os 'runner/core/|runner/os/'
check faults 'runner/core/|faults/'
check reports 'runner/core/|runner/os/|reports/'
check plugins 'runner/core/|plugins/'
check runner/schedule 'runner/core/|runner/schedule/'
bad=$(grep -rn '#include "runner/cli/' "$root" --include='*.h' --include='*.cc' | grep -v "^$root/runner/cli/" || true)
[ -z "$bad" ] || { echo "only runner/cli may include runner/cli:"; echo "$bad"; status=1; }

# Code lines (comments stripped) that act on the system directly.
system_calls='(^|[^A-Za-z0-9_])(kill|fork|vfork|popen|system|execv[a-z]*|posix_spawnp?)[[:space:]]*\(|::connect[[:space:]]*\(|(^|[^A-Za-z0-9_])curl_'
for folder in runner faults plugins reports; do
  offenders=$(for file in $(find "$root/$folder" \( -name '*.h' -o -name '*.cc' \) -not -path "$root/runner/os/*"); do
      sed -e 's#//.*$##' -e 's/"[^"]*"//g' "$file" | grep -nE "$system_calls" | sed "s#^#$file:#"
    done)
  if [ -n "$offenders" ]; then
    echo "$folder acts on the system outside runner/os:"; echo "$offenders"; status=1
  fi
done
[ $status -eq 0 ] && echo "architecture: include directions and system-call seams hold"
exit $status
