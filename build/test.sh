#!/usr/bin/env bash
# Every test: type check, the package build, vitest (core), Pester (module,
# end to end, the installed package and remoting over SSH).
# Prints one line per runner and a closing "total: N passed, N failed".
# Exits non-zero when anything failed. Set-up is build/setup.sh's job.
set -uo pipefail
cd "$(dirname "$0")/.."
results=tests/results
rm -rf "$results" && mkdir -p "$results"

passed=0 failed=0 skipped=0

echo "== type check (tsc --noEmit)"
if npx tsc --noEmit -p tsconfig.json; then
  typecheck='1 passed, 0 failed'; passed=$((passed + 1))
else
  typecheck='0 passed, 1 failed'; failed=$((failed + 1))
fi

echo "== package (npm run package: the module folder and .nupkg the install and remoting tests use)"
if npm run --silent package; then
  package='1 passed, 0 failed'; passed=$((passed + 1))
else
  package='0 passed, 1 failed'; failed=$((failed + 1))
fi

echo "== vitest (ts-core)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
vitest_rc=$?
read -r v_pass v_fail v_skip < <(node -e '
  try {
    const r = require(process.argv[1]);
    const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + failedSuites, r.numPendingTests + r.numTodoTests);
  } catch { console.log(0, 1, 0); }' "$PWD/$results/vitest.json")
if ((vitest_rc != 0 && v_fail == 0)); then v_fail=1; fi
# A skip must not hide a gap: on Linux as root (where CI runs) every core test must run.
if [[ $(uname -s) == Linux && $(id -u) -eq 0 ]] && ((v_skip > 0)); then
  echo "vitest skipped $v_skip test(s) that must run on this machine: counted as failed"
  v_fail=$((v_fail + v_skip))
fi
passed=$((passed + v_pass)); failed=$((failed + v_fail)); skipped=$((skipped + v_skip))

echo "== Pester (module)"
dotnet pwsh -NoProfile -NonInteractive -File build/Invoke-PesterRun.ps1 2>&1 | tee "$results/pester.log"
pester_rc=${PIPESTATUS[0]}
pester_line=$(sed 's/\x1b\[[0-9;]*m//g' "$results/pester.log" | grep -E '^pester: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
p_pass=$(sed -E 's/^pester: ([0-9]+) passed.*/\1/' <<<"$pester_line"); p_pass=${p_pass:-0}
p_fail=$(sed -E 's/^pester: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$pester_line"); p_fail=${p_fail:-1}
p_skip=$(grep -oE '[0-9]+ skipped' <<<"$pester_line" | grep -oE '[0-9]+'); p_skip=${p_skip:-0}
if ((pester_rc != 0 && p_fail == 0)); then p_fail=1; fi
passed=$((passed + p_pass)); failed=$((failed + p_fail)); skipped=$((skipped + p_skip))

echo
echo "typecheck: $typecheck"
echo "package: $package"
echo "vitest: $v_pass passed, $v_fail failed, $v_skip skipped"
echo "pester: $p_pass passed, $p_fail failed, $p_skip skipped"
echo "total: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
