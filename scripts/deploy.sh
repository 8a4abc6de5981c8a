#!/usr/bin/env bash
# Creates the Cloudflare resources (queues, dead-letter queues, KV, R2) and deploys the four workers.
# Needs CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) in the environment. Safe to re-run:
# "already exists" answers are ignored. After the first run, put the KV namespace id that
# wrangler prints into the four wrangler.*.toml files (kv_namespaces.id).
set -uo pipefail
cd "$(dirname "$0")/.."
W="npx wrangler"
# Before anything is created or deployed: a guessable ADMIN_TOKEN is refused (src/web/admin-token.mjs).
if [ -n "${ADMIN_TOKEN:-}" ]; then
  node --input-type=module -e '
    import { adminTokenProblem } from "./src/web/admin-token.mjs";
    const problem = adminTokenProblem(process.env.ADMIN_TOKEN);
    if (problem) { console.error(`[deploy] refusing to deploy: ${problem}`); process.exit(1); }
  ' || exit 1
fi
# The cron cadence, CRON_CADENCE_MINUTES: 15 (default), 30 or 60 (src/domain/cadence.mjs says why only
# these), also checked before anything is created. The web worker gets the matching trigger and
# the value as a var (its pages say how often pictures are redrawn and when one is stale).
CADENCE_CRON=$(node --input-type=module -e '
  import { cadenceMinutes, cronOfCadence } from "./src/domain/cadence.mjs";
  try {
    const minutes = cadenceMinutes(process.env.CRON_CADENCE_MINUTES);
    console.log(`${minutes} ${cronOfCadence(minutes)}`);
  } catch (error) { console.error(`[deploy] refusing to deploy: ${error.message}`); process.exit(1); }
') || exit 1
CADENCE=${CADENCE_CRON%% *}
CRON=${CADENCE_CRON#* }
echo "[deploy] cron cadence: every $CADENCE minutes ($CRON)"
for q in fetch-jobs weather-ready landscape-jobs fetch-jobs-dlq weather-ready-dlq landscape-jobs-dlq; do
  $W queues create "$q" || echo "(queue $q: exists or failed, continuing)"
done
$W r2 bucket create weather-landscape-images || echo "(bucket: exists or failed, continuing)"
$W kv namespace create CONFIG || echo "(kv: exists or failed, continuing)"
set -e
if [ -n "${ADMIN_TOKEN:-}" ]; then echo "$ADMIN_TOKEN" | $W secret put ADMIN_TOKEN -c wrangler.web.toml; fi
if [ -n "${OWM_API_KEY:-}" ]; then echo "$OWM_API_KEY" | $W secret put OWM_API_KEY -c wrangler.fetcher.toml; fi
for w in generator dispatcher fetcher web; do
  # Collector credentials (e.g. an API key header) are secrets, never [vars].
  if [ -n "${OTEL_EXPORTER_OTLP_HEADERS:-}" ]; then echo "$OTEL_EXPORTER_OTLP_HEADERS" | $W secret put OTEL_EXPORTER_OTLP_HEADERS -c "wrangler.$w.toml"; fi
  if [ "$w" = web ]; then
    $W deploy -c wrangler.web.toml --triggers "$CRON" --var "CRON_CADENCE_MINUTES:$CADENCE"
  else
    $W deploy -c "wrangler.$w.toml"
  fi
done
