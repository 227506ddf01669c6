#include "bench_plot.hpp"

#include <cstdio>
#include <fstream>

#include "child_process.hpp"
#include "gnuplot.hpp"

namespace cohort::cli {

namespace {

// "c*x**a" for gnuplot, or "NaN" (nothing drawn) without a fit.
std::string law(const std::optional<engine::PowerLawFit>& f) {
  if (!f) return "NaN";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.10g*x**%.10g", f->coefficient, f->exponent);
  return buf;
}

// The legend entry; gnuplot's enhanced text reads ^{} as a superscript.
std::string title(const char* symbol, const std::optional<engine::PowerLawFit>& f) {
  if (!f) return std::string("no fit");
  char buf[160];
  std::snprintf(buf, sizeof buf, "fit c N^{%s}: %s = %.3f (95%% CI %.3f to %.3f), R^2 = %.3f",
                symbol, symbol, f->exponent, f->line.ci_low, f->line.ci_high, f->line.r2);
  return buf;
}

}  // namespace

std::string plot_scaling(const std::vector<tools::ScaleSummary>& scales,
                         const tools::ScalingFit& fit, const std::filesystem::path& png,
                         const std::string& plot_title, double baseline_rss) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) return "gnuplot is not installed (apt-get install gnuplot-nox)";
  const std::filesystem::path data = png.parent_path() / "bench_plot.dat";
  const std::filesystem::path script = png.parent_path() / "bench_plot.gp";
  {
    std::ofstream d(data);
    d << "# agents time_median time_min time_max rss_median rss_min rss_max\n";
    for (const tools::ScaleSummary& s : scales)
      d << s.agents << ' ' << s.seconds_per_step.median << ' ' << s.seconds_per_step.min << ' '
        << s.seconds_per_step.max << ' ' << (s.peak_rss.median - baseline_rss) / 1048576 << ' '
        << (s.peak_rss.min - baseline_rss) / 1048576 << ' '
        << (s.peak_rss.max - baseline_rss) / 1048576 << '\n';
  }
  std::optional<engine::PowerLawFit> rss_mib = fit.memory;
  if (rss_mib) rss_mib->coefficient /= 1048576;  // the plot shows MiB
  // The script is fixed text; the paths reach gnuplot as arguments (ARG1, ARG2 of `gnuplot -c`),
  // never as code, so a folder named "b'.system('x').'" is only a name.
  std::ofstream g(script);
  g << "set terminal pngcairo size 1200,500 enhanced font 'sans,10'\n"
    << "set output ARG2\n"
    << "set multiplot layout 1,2 title ARG1 noenhanced\n"
    << "set logscale xy\nset grid\nset key bottom right\nset xlabel 'agents (N)'\n"
    << "set ylabel 'seconds per step'\n"
    << "plot ARG3 using 1:2:3:4 with yerrorbars pt 7 title 'measured', " << law(fit.time)
    << " lw 2 title '" << title("a", fit.time) << "'\n"
    << "set ylabel 'peak RSS above the no-agent baseline (MiB)'\n"
    << "plot ARG3 using 1:5:6:7 with yerrorbars pt 7 title 'measured', " << law(rss_mib)
    << " lw 2 title '" << title("b", fit.memory) << "'\n"
    << "unset multiplot\n";
  g.close();
  // The title (it names the config file) and the paths reach gnuplot as arguments, strings,
  // never as code: a folder named `b'.system('...').'` is just a name.
  const ChildResult r = run_child(
      gnuplot,
      {"-c", script.string(), plot_title + " (median, min-max)", png.string(), data.string()},
      png.parent_path() / "gnuplot.log");
  if (r.exit_code != 0)
    return "gnuplot failed (see " + (png.parent_path() / "gnuplot.log").string() + ")";
  return {};
}

}  // namespace cohort::cli
