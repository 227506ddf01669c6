// The C++ side of `import cohort`: marshalling only. Runs go through the command line's own run
// command (same validation, outputs and exit codes); the package reads the files into pandas.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "cohort/engine/model.hpp"
#include "cohort/engine/version.hpp"
#include "cohort/models/active_inference.hpp"
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

// The dense active-inference API on numpy arrays (A: (O, S), B: one (S, S) array per action, C:
// (O,)); shapes are checked before any arithmetic.
void bind_active_inference(py::module_& parent) {
  namespace ai = cohort::active_inference;
  py::module_ m = parent.def_submodule("active_inference", "pymdp's formulas on numpy arrays");
  const auto model = [](Eigen::MatrixXd A, std::vector<Eigen::MatrixXd> B, Eigen::VectorXd C) {
    ai::GenerativeModel g{std::move(A), std::move(B), std::move(C)};
    g.check();
    return g;
  };
  m.def(
      "infer_states",
      [model](Eigen::MatrixXd A, std::vector<Eigen::MatrixXd> B, Eigen::VectorXd C,
              const Eigen::VectorXd& prior, Eigen::Index observation) {
        return ai::infer_states(model(std::move(A), std::move(B), std::move(C)), prior,
                                observation);
      },
      py::arg("A"), py::arg("B"), py::arg("C"), py::arg("prior"), py::arg("observation"));
  m.def(
      "predict_states",
      [model](Eigen::MatrixXd A, std::vector<Eigen::MatrixXd> B, Eigen::VectorXd C,
              const Eigen::VectorXd& qs, Eigen::Index action) {
        return ai::predict_states(model(std::move(A), std::move(B), std::move(C)), qs, action);
      },
      py::arg("A"), py::arg("B"), py::arg("C"), py::arg("qs"), py::arg("action"));
  m.def(
      "evaluate_policies",
      [model](Eigen::MatrixXd A, std::vector<Eigen::MatrixXd> B, Eigen::VectorXd C,
              const Eigen::VectorXd& qs, Eigen::Index length) {
        return ai::evaluate_policies(model(std::move(A), std::move(B), std::move(C)), qs, length);
      },
      py::arg("A"), py::arg("B"), py::arg("C"), py::arg("qs"), py::arg("length"));
  m.def("enumerate_policies", &ai::enumerate_policies, py::arg("actions"), py::arg("length"));
  m.def("policy_posterior", &ai::policy_posterior, py::arg("G"), py::arg("gamma"));
  m.def("action_marginal", &ai::action_marginal, py::arg("q_pi"), py::arg("actions"),
        py::arg("length"));
}

}  // namespace

PYBIND11_MODULE(_cohort, m) {
  m.doc() = "cohort's C++ core; use the `cohort` package, not this module";
  m.attr("version") = COHORT_VERSION_STRING;
  m.attr("build_binary") = COHORT_BUILD_BINARY;
  m.attr("install_binary") = COHORT_INSTALL_BINARY;
  bind_active_inference(m);

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
