// SPDX-License-Identifier: GPL-2.0-only
/*
 * gbshim.cc - the C API of gbshim.h over Google Benchmark 1.7.
 *
 * The only C++ in poolbench. Benchmarks run in real time (UseRealTime) in
 * nanoseconds, with min and max added to Google Benchmark's mean, median,
 * stddev and cv aggregates. A custom display reporter prints the library's
 * context header (CPU, caches, load, and its "built as DEBUG" warning when
 * that applies, followed by a line saying why that does not touch the timed
 * loops) and hands every run to the C callback; the JSON file
 * reporter given by --benchmark_out writes bench.json untouched.
 *
 * Called by bench.c and local.c (gbshim.h); calls only Google Benchmark.
 */
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cassert>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/gbshim.h"

namespace {

benchmark::State *cxx(struct pb_gb_state *st)
{
	return reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State *cxx(const struct pb_gb_state *st)
{
	return reinterpret_cast<const benchmark::State *>(st);
}

double stat_min(const std::vector<double> &v)
{
	return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

double stat_max(const std::vector<double> &v)
{
	return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}

bool quiet_context;

/*
 * Said right after Google Benchmark's "Library was built as DEBUG" warning,
 * which Debian's libbenchmark always prints: the library only starts and
 * stops the clock around each batch, so its build type does not reach the
 * timed loops.
 */
const char debug_note[] =
	"poolbench: that is Debian's libbenchmark: it only starts and stops "
	"the clock around each batch; the timed loops are poolbench's own code "
	"and flags (meta.json records both; docs/method.md: How the time is taken)";

class CReporter : public benchmark::BenchmarkReporter {
public:
	CReporter(pb_gb_report_fn fn, void (*end)(void *), void *arg)
		: fn_(fn), end_(end), arg_(arg) {}

	bool ReportContext(const Context &context) override
	{
		std::ostringstream text;
		std::string line;

		if (quiet_context)
			return true;
		PrintBasicContext(&text, context);
		std::istringstream lines(text.str());
		while (std::getline(lines, line)) {
			std::cerr << line << '\n';
			if (line.find("built as DEBUG") != std::string::npos)
				std::cerr << debug_note << '\n';
		}
		return true;
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &r : runs)
			report(r);
		if (end_)
			end_(arg_);
	}

private:
	void report(const Run &r)
	{
		std::vector<const char *> names;
		std::vector<double> values;
		struct pb_gb_run out = {};
		double to_ns = 1e9 / benchmark::GetTimeUnitMultiplier(r.time_unit);

		for (const auto &c : r.counters) {
			names.push_back(c.first.c_str());
			values.push_back(c.second.value);
		}
		out.name = r.run_name.function_name.c_str();
		out.aggregate = r.run_type == Run::RT_Aggregate ?
					r.aggregate_name.c_str() : nullptr;
		out.repetition_index = r.repetition_index;
		out.threads = r.threads;
		out.iterations = r.iterations;
		out.real_ns = r.GetAdjustedRealTime() * to_ns;
		out.cpu_ns = r.GetAdjustedCPUTime() * to_ns;
		out.error = r.error_occurred;
		out.error_message = r.error_message.c_str();
		out.nr_counters = names.size();
		out.counter_names = names.data();
		out.counter_values = values.data();
		fn_(&out, arg_);
	}

	pb_gb_report_fn fn_;
	void (*end_)(void *);
	void *arg_;
};

std::vector<std::string> gb_args;

} // namespace

extern "C" {

int pb_gb_init(const char *json_path, int interleave)
{
	std::vector<char *> argv;
	int argc;

	gb_args = { "poolbench", std::string("--benchmark_out=") + json_path,
		    "--benchmark_out_format=json" };
	if (interleave)
		gb_args.push_back("--benchmark_enable_random_interleaving=true");
	for (auto &a : gb_args)
		argv.push_back(&a[0]);
	argv.push_back(nullptr);
	argc = static_cast<int>(gb_args.size());
	benchmark::Initialize(&argc, argv.data());
	return benchmark::ReportUnrecognizedArguments(argc, argv.data()) ? -1 : 0;
}

void pb_gb_quiet_context(int quiet)
{
	quiet_context = quiet != 0;
}

void pb_gb_register(const struct pb_gb_spec *spec, pb_gb_body_fn body,
		    void *arg)
{
	benchmark::RegisterBenchmark(spec->name,
		[body, arg](benchmark::State &st) {
			body(reinterpret_cast<struct pb_gb_state *>(&st), arg);
		})
		->Threads(spec->threads)
		->Repetitions(spec->repetitions)
		->MinTime(spec->min_time)
		->UseRealTime()
		->Unit(benchmark::kNanosecond)
		->ComputeStatistics("min", stat_min)
		->ComputeStatistics("max", stat_max);
}

size_t pb_gb_run_all(pb_gb_report_fn report, void (*batch_end)(void *arg),
		      void *arg)
{
	CReporter reporter(report, batch_end, arg);

	return benchmark::RunSpecifiedBenchmarks(&reporter);
}

void pb_gb_shutdown(void)
{
	benchmark::Shutdown();
}

int pb_gb_thread_index(const struct pb_gb_state *st)
{
	return cxx(st)->thread_index();
}

uint64_t pb_gb_max_iterations(const struct pb_gb_state *st)
{
	return static_cast<uint64_t>(cxx(st)->max_iterations);
}

bool pb_gb_begin(struct pb_gb_state *st, uint64_t iterations)
{
	return cxx(st)->KeepRunningBatch(
		static_cast<benchmark::IterationCount>(iterations));
}

void pb_gb_end(struct pb_gb_state *st)
{
	/*
	 * The batch covered max_iterations (or the run was marked failed), so
	 * this call finds nothing left: it stops the timer, waits at the end
	 * barrier and returns false.
	 */
	bool more = cxx(st)->KeepRunningBatch(1);

	assert(!more);
	(void)more;
}

void pb_gb_error(struct pb_gb_state *st, const char *msg)
{
	cxx(st)->SkipWithError(msg);
}

void pb_gb_set_counter(struct pb_gb_state *st, const char *name, double value)
{
	cxx(st)->counters[name] = benchmark::Counter(value);
}

} // extern "C"
