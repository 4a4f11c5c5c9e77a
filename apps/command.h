// The `cimvp` command line: one binary, one subcommand per file
// (apps/cmd_<name>.cpp), each parsing its own options with
// Boost.Program_options and printing `--help`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace cimvp::cli {

namespace po = boost::program_options;

struct Command {
  std::string name;
  std::string summary;
  std::function<int(const std::vector<std::string>& args)> run;
};

// Every subcommand, in the order `cimvp --help` lists them.
const std::vector<Command>& commands();

// Parses `args` against `options` (and positional names); prints help and
// returns false when --help was given. Throws cimvp::Error for bad usage.
bool parse(const std::string& command, const std::string& usage, po::options_description& options,
           const po::positional_options_description& positional, const std::vector<std::string>& args,
           po::variables_map& vm);

// Writes one predicted class per line (image order): what `eval` and `infer`
// give with --predictions, so runs can be compared image by image.
void write_predictions(const std::vector<int>& predictions, const std::string& path);

}  // namespace cimvp::cli
