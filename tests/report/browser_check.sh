#!/usr/bin/env bash
# The sample reports rendered by a real browser: headless Chromium loads each page from disk,
# and we check (1) the DOM after parsing holds every chart as an <svg> with its <title>, no chart
# says "no data", and nothing was fetched from the network (there is nothing to fetch), and
# (2) a screenshot of the page is not blank and shows the charts' colours.
# With UPCAMP (the CLI binary) it also checks the real thing: a campaign on a small synthetic
# dataset (synth -> train -> campaign run -> synth respond -> evaluate) and its report.html,
# before and after evaluation.
# Run by ctest: browser_check.sh REPORT_SAMPLE [UPCAMP]. Exit 77 (ctest: skipped) without
# chromium; scripts/install-deps.sh --browser installs it.
set -euo pipefail
sample="$1"
upcamp="${2:-}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "SKIPPED: chromium is not installed (scripts/install-deps.sh --browser installs it)"
  exit 77
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$sample" "$work" 400000

run_browser() {
  # A fresh profile per run; stderr (dbus noise of a desktop-less machine) goes to a log.
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --no-first-run --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}

fail() { echo "browser_check: $*" >&2; exit 1; }

check_page() {
  local page="$1"; shift  # remaining arguments: expected chart titles
  local dom="$work/$page.dom.html"
  run_browser --dump-dom "file://$work/$page.html" >"$dom" || fail "chromium failed on $page.html"
  [ -s "$dom" ] || fail "$page.html: empty DOM"
  local svgs
  svgs=$(grep -o '<svg[ >]' "$dom" | wc -l)
  [ "$svgs" -eq "$#" ] || fail "$page.html: $svgs <svg> elements in the DOM, expected $#"
  for title in "$@"; do
    grep -qF "<title>$title</title>" "$dom" || fail "$page.html: no chart titled '$title' in the DOM"
  done
  if grep -q 'class="no-data"' "$dom"; then fail "$page.html: a chart shows 'no data'"; fi
  # Charts actually drew something: paths or bars inside the SVGs.
  grep -q '<path d="M' "$dom" || grep -q '<rect ' "$dom" || fail "$page.html: no drawing in the charts"
  echo "browser_check: $page.html: $svgs charts in the rendered DOM"
}

check_page training "Qini curve (validation)" "Uplift curve (validation)" \
  "Uplift by decile of the score (validation)" "Feature importance (top 30 of 40)"
check_page campaign "Score distribution of the selected clients" "Clients per group and treatment" \
  "Effect per client (difference in mean outcome, Welch 95% CI)" "Relative effect (95% CI)" \
  "Qini curve (random target + control)" "Uplift curve (random target + control)" \
  "Uplift by decile of the score (random target + control)"
check_page campaign_frozen "Score distribution of the selected clients" \
  "Clients per group and treatment"

pages=(training campaign)
if [ -n "$upcamp" ]; then
  real="$work/real"; mkdir -p "$real"
  "$upcamp" -q --threads 2 synth --out "$real/data" --clients 3000 --seed 5
  cat >"$real/train.yaml" <<'YAML'
seed: 1
data:
  catalog: data/catalog.yaml
  date_to: 2019-03-19
  features: [{name: receipts_basic, args: {delta: 60}}, {name: age_gender}]
  target:
    calcer: {name: target_from_campaigns, args: {date_to: 2019-03-21}}
    expression: "target_purchases_count > 0"
model: {type: t_learner, base: {type: xgboost, params: {max_depth: 3, num_rounds: 20}}}
validation: {test_fraction: 0.3}
threshold: {percentile: 60}
YAML
  cat >"$real/campaign.yaml" <<'YAML'
name: browser-check
seed: 2
catalog: data/catalog.yaml
model: model
date_to: 2019-03-19
selection:
  features: [{name: receipts_basic, args: {delta: 30}}, {name: age_gender}]
  filters: ["age >= 18"]
groups:
  - {name: control,       fraction: 0.3, treatment: {type: constant, value: no_offer}}
  - {name: random_target, fraction: 0.3, treatment: {type: constant, value: offer}}
  - {name: targeted,      fraction: 0.4, treatment: {type: model}}
threshold: {type: from_model}
YAML
  "$upcamp" -q --runs-dir "$real/runs" train --config "$real/train.yaml" --out "$real/model"
  "$upcamp" -q --runs-dir "$real/runs" campaign run --config "$real/campaign.yaml" --run-id r
  cp "$real/runs/r/report.html" "$work/real_campaign_frozen.html"
  "$upcamp" -q synth respond --data "$real/data" --assignment "$real/runs/r/result.csv" \
    --out "$real/responses.csv"
  "$upcamp" -q --runs-dir "$real/runs" campaign evaluate --run-id r --responses "$real/responses.csv"
  cp "$real/runs/r/report.html" "$work/real_campaign.html"
  check_page real_campaign_frozen "Score distribution of the selected clients" \
    "Clients per group and treatment"
  check_page real_campaign "Score distribution of the selected clients" \
    "Clients per group and treatment" \
    "Effect per client (difference in mean outcome, Welch 95% CI)" "Relative effect (95% CI)" \
    "Qini curve (random target + control)" "Uplift curve (random target + control)" \
    "Uplift by decile of the score (random target + control)"
  pages+=(real_campaign)
fi

# Screenshots: not blank, and the palette's blue (#0072B2, the model curve and the bars) is on
# screen in quantity — i.e. the SVGs were laid out and painted, not just parsed.
for page in "${pages[@]}"; do
  png="$work/$page.png"
  run_browser --window-size=1280,2600 --screenshot="$png" "file://$work/$page.html" >/dev/null ||
    fail "chromium could not take a screenshot of $page.html"
  [ -s "$png" ] || fail "$page.html: no screenshot"
  /usr/bin/python3 - "$png" <<'PY' || fail "$page.html: screenshot check failed"
import struct, sys, zlib

def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and color in (2, 6) and interlace == 0, "unexpected PNG format"
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return width, height, bpp, rows

w, h, bpp, rows = read_png(sys.argv[1])
total = non_white = blue = 0
for row in rows[::2]:
    for x in range(0, w * bpp, 2 * bpp):
        r, g, b = row[x], row[x + 1], row[x + 2]
        total += 1
        if r < 245 or g < 245 or b < 245: non_white += 1
        if abs(r - 0x00) < 40 and abs(g - 0x72) < 40 and abs(b - 0xB2) < 40: blue += 1
share, blue_share = non_white / total, blue / total
print(f"browser_check: screenshot {w}x{h}: {100 * share:.1f}% non-white, {100 * blue_share:.2f}% chart blue")
assert share > 0.02, "the screenshot is (almost) blank"
assert blue_share > 0.002, "no chart colour on screen"
PY
done
echo "browser_check: OK"
