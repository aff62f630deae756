# Sourced by test.sh: the wall time of each phase of a run, printed once at its end (also when it
# fails, to show how far it got). `phase NAME` ends the running phase and starts NAME.

PHASE_NAMES=()
PHASE_SECONDS=()
PHASE_CURRENT=""
PHASE_STARTED=0

phase() {
  local t
  t="$(date +%s)"
  if [ -n "$PHASE_CURRENT" ]; then
    PHASE_NAMES+=("$PHASE_CURRENT")
    PHASE_SECONDS+=("$((t - PHASE_STARTED))")
  fi
  PHASE_CURRENT="$1"
  PHASE_STARTED="$t"
}

phases_report() {
  [ "$PHASE_CURRENT" = done ] || phase done
  local i line="" total=0
  for i in "${!PHASE_NAMES[@]}"; do
    line+="${line:+, }${PHASE_NAMES[$i]} ${PHASE_SECONDS[$i]} s"
    total=$((total + PHASE_SECONDS[i]))
  done
  echo "test: phases: $line; total $total s"
}
