// The C++ side of `import cohort`: marshalling only. Runs go through the command line's own run
// command (same validation, outputs and exit codes); the package reads the files into pandas.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "cohort/engine/model.hpp"
#include "cohort/engine/version.hpp"
#include "cohort/models/builtin.hpp"
#include "commands.hpp"

namespace py = pybind11;

namespace {

// The built-in models, registered once per process.
const cohort::engine::ModelRegistry& registry() {
  static const cohort::engine::ModelRegistry r = [] {
    cohort::engine::ModelRegistry models;
    cohort::models::register_builtin_models(models);
    return models;
  }();
  return r;
}

py::dict parameter(const cohort::engine::ParamSpec& p) {
  py::dict d;
  d["name"] = p.name;
  d["help"] = p.help;
  if (!p.fields.empty()) {
    py::list fields;
    for (const cohort::engine::ParamSpec& f : p.fields)
      fields.append(parameter(f));
    d["fields"] = fields;
  }
  return d;
}

}  // namespace

PYBIND11_MODULE(_cohort, m) {
  m.doc() = "cohort's C++ core; use the `cohort` package, not this module";
  m.attr("version") = COHORT_VERSION_STRING;
  m.attr("build_binary") = COHORT_BUILD_BINARY;
  m.attr("install_binary") = COHORT_INSTALL_BINARY;

  m.def(
      "run",
      [](const std::string& config, const std::vector<std::string>& overrides,
         const std::string& out, bool quiet) {
        cohort::cli::RunOptions o;
        o.config = config;
        o.set = overrides;
        o.out = out;
        o.quiet = quiet;
        o.no_profile = true;
        py::gil_scoped_release released;
        return cohort::cli::run_command(registry(), o);
      },
      py::arg("config"), py::arg("overrides"), py::arg("out"), py::arg("quiet") = true,
      "Runs `cohort run CONFIG --set ... --out OUT`; returns its exit code.");

  m.def(
      "models",
      [] {
        py::list list;
        for (const cohort::engine::ModelInfo& info : registry().all()) {
          py::dict d;
          d["name"] = info.name;
          d["description"] = info.description;
          py::list pops;
          for (const cohort::engine::PopulationDecl& p : info.populations)
            pops.append(py::dict(py::arg("name") = p.name, py::arg("default_size") = p.default_size,
                                 py::arg("help") = p.help));
          d["populations"] = pops;
          d["parameters"] = parameter(info.parameters)["fields"];
          d["parameters_help"] = cohort::engine::render_help(info.parameters, 0);
          list.append(d);
        }
        return list;
      },
      "The built-in models with their populations and parameters.");
}
