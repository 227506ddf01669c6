#include "plugin_loader.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <set>
#include <string>

#include "cohort/engine/plugin.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;

using AbiFunction = const char* (*)();
using RegisterFunction = void (*)(engine::ModelRegistry*);

void load_one(const fs::path& file, const fs::path& canonical, engine::ModelRegistry& registry) {
  const std::string name = file.string();
  // RTLD_LOCAL: two plugins' own symbols never interpose each other; the engine's symbols come
  // from this program, which exports them.
  void* handle = ::dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    throw PluginError("plugin " + name + ": cannot load: " + ::dlerror() +
                      " (a plugin links no cohort library and is loaded by a program built "
                      "with cohort_enable_plugins())");
  const auto abi = reinterpret_cast<AbiFunction>(::dlsym(handle, "cohort_plugin_abi"));
  const auto add = reinterpret_cast<RegisterFunction>(::dlsym(handle, "cohort_register_models"));
  if (abi == nullptr || add == nullptr)
    throw PluginError("plugin " + name +
                      ": not a cohort plugin (no cohort_plugin_abi or cohort_register_models; "
                      "define them with COHORT_PLUGIN(your_register_function))");
  const std::string theirs = abi();
  const std::string ours = COHORT_PLUGIN_ABI_TAG;
  if (theirs != ours)
    throw PluginError("plugin " + name + " was built for " + theirs + ", but this program is " +
                      ours + "; rebuild the plugin against this cohort's headers");
  const std::size_t before = registry.all().size();
  try {
    add(&registry);
  } catch (const std::exception& e) {
    throw PluginError("plugin " + name + ": registering its models failed: " + e.what());
  }
  for (std::size_t i = before; i < registry.all().size(); ++i)
    spdlog::debug("plugin {}: model {}", name, registry.all()[i].name);
}

}  // namespace

void load_plugins(const std::vector<fs::path>& files, engine::ModelRegistry& registry) {
  std::set<fs::path> seen;  // the same library named twice (--plugin and plugins:) loads once
  for (const fs::path& f : files) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) throw PluginError("plugin " + f.string() + ": no such file");
    const fs::path canonical = fs::canonical(f);
    if (seen.insert(canonical).second) load_one(f, canonical, registry);
  }
}

}  // namespace cohort::cli
