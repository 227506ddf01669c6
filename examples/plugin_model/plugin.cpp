// The plugin's entry points: `cohort run CONFIG --plugin libsavings.so` calls register_savings.
#include <cohort/engine/plugin.hpp>

#include "savings.hpp"

COHORT_PLUGIN(register_savings)
