#pragma once
// Drawing with gnuplot run as a child process. Scripts never contain a path: gnuplot runs in
// the folder of its data and reads and writes fixed file names there, so a folder name with a
// quote or an apostrophe cannot break (or inject into) the script.

#include <filesystem>
#include <string>

namespace cohort::cli {

/// The gnuplot program, or "" when it is not installed.
std::string find_gnuplot();

/// Writes `script` to `dir`/`script_name` and runs gnuplot on it with `dir` as its working
/// directory (its output in `dir`/gnuplot.log). Returns "" on success, else why nothing was
/// drawn.
std::string run_gnuplot(const std::filesystem::path& dir, const std::string& script_name,
                        const std::string& script);

}  // namespace cohort::cli
