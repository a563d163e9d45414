#!/bin/sh
# The test command of README.md and .ci/run: vet, every test, then a short
# run of each fuzz target (go test runs fuzz targets only on their seed
# corpus; -fuzz mutates inputs: a fixed number of them, about ten seconds each
# here; FUZZX=10 runs ten times as many). Each lesson runs 3 times here to
# check its words (SOCKSCOPE_LESSON_RUNS=20 for the full repetition).
set -eu
cd "$(dirname "$0")/.."
# Counts, not durations: with a duration, a run that ends while the fuzzer is
# minimising a new input can fail with "context deadline exceeded".
fuzzx=${FUZZX:-1}
export SOCKSCOPE_LESSON_RUNS="${SOCKSCOPE_LESSON_RUNS:-3}"
go vet ./...
go test -count=1 ./...
go test -run '^$' -fuzz '^FuzzReader$' -fuzztime "$((40000 * fuzzx))x" -fuzzminimizetime 3s ./capture
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "$((150000 * fuzzx))x" -fuzzminimizetime 3s ./decode
go test -run '^$' -fuzz '^FuzzCompile$' -fuzztime "$((250000 * fuzzx))x" -fuzzminimizetime 3s ./capture/filter
go test -run '^$' -fuzz '^FuzzDisplayFilter$' -fuzztime "$((100000 * fuzzx))x" -fuzzminimizetime 3s ./decode
go test -run '^$' -fuzz '^FuzzDetails$' -fuzztime "$((50000 * fuzzx))x" -fuzzminimizetime 3s ./decode
go test -run '^$' -fuzz '^FuzzFastPath$' -fuzztime "$((50000 * fuzzx))x" -fuzzminimizetime 3s ./decode
