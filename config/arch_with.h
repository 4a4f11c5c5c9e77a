// An architecture with some parameters set by key ("adc.bits" = "6"): the
// parameters go into the YAML tree and the whole tree goes through the one
// YAML reader, so a value is checked exactly as in a file (type, unit
// suffix, choices, range, the rules between parameters). Sweeps set their
// grid values so; the Python API's Arch.with_() too.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/arch_config.h"

namespace cimvp {

// `base` (an architecture's YAML tree) with `params` set. Throws
// cimvp::Error "NAME: reason" naming the parameter; `name` replaces the
// line:column of the merged YAML, which no one sees.
ArchConfig arch_with(YAML::Node base, const std::vector<std::pair<std::string, std::string>>& params,
                     const std::string& name);

}  // namespace cimvp
