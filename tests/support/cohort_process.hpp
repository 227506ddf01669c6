#pragma once
// The helpers that run the built `cohort` binary live in one place, cli/cohort_process.hpp; this
// header gives their basic names in cohort::testing for the suites that use only those.

#include "cli/cohort_process.hpp"

namespace cohort::testing {

using cli::contains;
using cli::Process;
using cli::read_file;
using cli::Result;
using cli::run_cohort;
using cli::write_file;

}  // namespace cohort::testing
