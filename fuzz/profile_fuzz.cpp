// Fuzzes reading a stored run profile, then everything `cohort profiles` does with one: its name
// and hash, the baseline and the regression checks. Text that is not a profile must be refused
// by parse_profile; anything it accepts must be usable without an exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cohort/tools/profile_store.hpp"
#include "cohort/tools/regression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cohort::tools;
  std::string problem;
  const auto parsed =
      parse_profile(std::string(reinterpret_cast<const char*>(data), size), problem);
  if (!parsed) return 0;
  const Profile p{"20260101T000000.000Z", *parsed};
  (void)p.name();
  (void)p.config_hash();
  const std::vector<Profile> history{p, p};
  const std::vector<Profile> baseline = baseline_of(history, p, 5);
  (void)check_profile(p, baseline, 0.1);
  return 0;
}
