#!/usr/bin/env bash
# make demo: start a bundled portal with the demo site on a free loopback port
# and a temp data file, apply examples/demo with the provider just built, show
# that a second plan has no changes, print the web page's address and a site
# token to sign in with (in a terminal, keep the portal running until Enter),
# and stop the portal. No `terraform init`:
# a CLI config with dev_overrides points Terraform at ./bin.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin/terraform-provider-callingportal"
command -v terraform >/dev/null || { echo "demo: terraform is not on PATH; install Terraform >= 1.11" >&2; exit 1; }
[ -x "$bin" ] || { echo "demo: $bin is missing: run make build" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

token=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
# The token goes through the environment, not argv, where ps would show it.
CALLINGPORTAL_BOOTSTRAP_TOKEN="$token" "$bin" serve --listen 127.0.0.1:0 \
  --data "$work/portal.db" --seed demo >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!

endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^ *endpoint: *//p' "$work/serve.out")
  [ -n "$endpoint" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { echo "demo: the portal did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
cat "$work/serve.out"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "callingportal/callingportal" = "$root/bin"
  }
  direct {}
}
RC
mkdir "$work/demo"
cp "$root/examples/demo/main.tf" "$work/demo/"

export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1
export CALLINGPORTAL_ENDPOINT="$endpoint" CALLINGPORTAL_TOKEN="$token" CALLINGPORTAL_SITE=demo

echo
echo "== terraform apply (examples/demo)"
terraform -chdir="$work/demo" apply -auto-approve -input=false -no-color

echo
echo "== terraform plan again: expect no changes"
set +e
terraform -chdir="$work/demo" plan -detailed-exitcode -input=false -no-color >"$work/plan.out" 2>&1
status=$?
set -e
cat "$work/plan.out"
if [ "$status" -ne 0 ]; then
  echo "demo: the second plan was not empty (exit $status)" >&2
  exit 1
fi
echo
echo "demo: applied, and the second plan has no changes."

# The portal's web page shows what Terraform did. A site token to sign in
# with, issued in the demo's own temp store (never the admin token).
site_token=$("$bin" token --data "$work/portal.db" --site demo --name demo-web)
echo
echo "== the portal's web page"
echo "  open:     $endpoint/"
echo "  sign in:  $site_token"
echo "            (a token of site demo, for this temp portal only)"
if [ -t 0 ] && [ -z "${CI:-}" ]; then
  echo
  echo "demo: the portal keeps running for the page; press Enter (or Ctrl-C) to stop it."
  read -r _ || true
else
  echo "  (not a terminal: the portal stops now; run make demo in a terminal to keep it open)"
fi
