#include "config/arch_with.h"

#include <cctype>

#include "common/error.h"

namespace cimvp {

namespace {

// "NAME:12:3: reason" -> "NAME: reason": line and column refer to the
// merged YAML, which no one sees.
std::string without_position(const std::string& what, const std::string& name) {
  if (what.compare(0, name.size() + 1, name + ":") != 0) return what;
  size_t i = name.size() + 1;
  auto digits = [&] {
    const size_t first = i;
    while (i < what.size() && std::isdigit(static_cast<unsigned char>(what[i]))) ++i;
    return i > first;
  };
  if (digits() && i < what.size() && what[i] == ':' && (++i, digits()) && what.compare(i, 2, ": ") == 0)
    return name + what.substr(i);
  return what;
}

}  // namespace

ArchConfig arch_with(YAML::Node root, const std::vector<std::pair<std::string, std::string>>& params,
                     const std::string& name) {
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  for (const auto& [key, value] : params) {
    const size_t dot = key.find('.');
    if (dot == std::string::npos) root[key] = value;
    else root[key.substr(0, dot)][key.substr(dot + 1)] = value;
  }
  YAML::Emitter out;
  out << root;
  try {
    return parse_arch_config(out.c_str(), name);
  } catch (const Error& e) {
    throw Error(without_position(e.what(), name));
  }
}

}  // namespace cimvp
