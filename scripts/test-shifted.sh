#!/bin/sh
# The unit and integration tests again, with the process clock moved by libfaketime (Debian's
# `faketime`): no test may depend on the day, the hour or the season it is run.
#   TEST_SHIFT=+400d         a run 400 days ahead (the default)
#   TEST_SHIFT=@2027-03-28T03:00:05 TEST_TZ=Europe/Paris
#                            a run that starts just after the clocks go forward in Paris
#   TEST_SHIFT=all           both, one after the other (what `npm run test:shifted` and CI run)
set -e
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || {
  echo "faketime is missing: apt-get install -y faketime (Debian's libfaketime)" >&2
  exit 1
}
# Its own Redis databases, so that it can run beside another suite.
export TEST_REDIS_BASE="${TEST_REDIS_BASE:-8}"

run() {
  echo "== unit and integration tests with the clock at $1${2:+ (TZ=$2)}"
  case "$1" in
    @*) shift_spec="@$(echo "${1#@}" | tr T ' ')" ;;
    *) shift_spec="$1" ;;
  esac
  TZ="${2:-${TZ:-UTC}}" faketime -f "$shift_spec" npx vitest run --project unit-integration
}

case "${TEST_SHIFT:-+400d}" in
  all)
    run +400d
    run @2027-03-28T03:00:05 Europe/Paris
    ;;
  *) run "${TEST_SHIFT:-+400d}" "${TEST_TZ:-}" ;;
esac
