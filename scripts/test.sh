#!/bin/sh
# The test command of README.md and .ci/run: vet, every test, then a short
# run of each fuzz target (go test runs fuzz targets only on their seed
# corpus; -fuzz mutates inputs for FUZZTIME each).
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-8s}
go vet ./...
go test -count=1 ./...
go test -run '^$' -fuzz '^FuzzReader$' -fuzztime "$fuzztime" -fuzzminimizetime 3s ./capture
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "$fuzztime" -fuzzminimizetime 3s ./decode
go test -run '^$' -fuzz '^FuzzCompile$' -fuzztime "$fuzztime" -fuzzminimizetime 3s ./capture/filter
go test -run '^$' -fuzz '^FuzzDisplayFilter$' -fuzztime "$fuzztime" -fuzzminimizetime 3s ./decode
go test -run '^$' -fuzz '^FuzzDetails$' -fuzztime "$fuzztime" -fuzzminimizetime 3s ./decode
