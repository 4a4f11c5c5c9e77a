// cimvp infer: the main job. Compiles a model for an architecture, runs N
// dataset images through the VP in functional mode, and reports accuracy,
// cycles, time and energy per image and the per-layer breakdown. With
// --check (default) every prediction is also compared with the integer
// reference, which defines the bits the VP must produce.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include "apps/command.h"
#include "common/error.h"
#include "common/seconds_since.h"
#include "config/arch_config.h"
#include "flow/pipeline.h"
#include "models/crossbar.h"
#include "models/device/lifetime.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/zoo.h"

namespace cimvp::cli {

int cmd_infer(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "architecture YAML")
      ("model", po::value<std::string>()->required(), "model file, zoo name or ONNX file")
      ("policy", po::value<std::string>(), "policy YAML")
      ("bits", po::value<std::string>(), "uniform policy, e.g. w8a8")
      ("dataset", po::value<std::string>()->required(), "fashion-mnist | mnist")
      ("split", po::value<std::string>()->default_value("test"), "test | validation | train")
      ("count", po::value<int>()->default_value(100), "images to classify (0: the whole split)")
      ("report", po::value<std::string>(), "write the report as JSON here")
      ("placement", po::value<std::string>()->default_value("auto"),
       "where weights live: auto, resident, per-layer or mixed (cimvp compile --help)")
      ("predictions", po::value<std::string>(), "write the VP's predicted class of every image here, one per line")
      ("seeds", po::value<int>()->default_value(1),
       "classify under N device draws (device.seed, +1, ...): accuracy as mean and spread")
      ("jobs", po::value<int>()->default_value(1),
       "processes to classify in (the images split between them; the same predictions with any number)")
      ("no-check", "do not compare every prediction with the integer reference")
      ("bit-accurate", "compute every crossbar through cells, DAC digits, ADC and shift-and-add, even where the "
                       "ideal-ADC fast path gives the same bits (slower)");
  po::variables_map vm;
  if (!parse("infer", "--arch ARCH.yaml --model MODEL [--policy P | --bits wXaY] --dataset D --count N [--report R.json] [--placement P]",
             options, {}, args, vm))
    return 0;
  const ArchConfig arch = load_arch_config(vm["arch"].as<std::string>());
  const ModelFile model = load_model_spec(vm["model"].as<std::string>());
  std::optional<std::string> policy_file, bits;
  if (vm.count("policy")) policy_file = vm["policy"].as<std::string>();
  if (vm.count("bits")) bits = vm["bits"].as<std::string>();
  const Policy policy = choose_policy(model, policy_file, bits);
  const Dataset data = load_dataset(vm["dataset"].as<std::string>(), split_from_name(vm["split"].as<std::string>()));
  const int requested = vm["count"].as<int>();
  if (requested < 0) throw Error("--count must not be negative");
  const int seeds = vm["seeds"].as<int>();
  if (seeds < 1) throw Error("--seeds must be at least 1, got " + std::to_string(seeds));
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1 || jobs > 256) throw Error("--jobs must be in 1..256, got " + std::to_string(jobs));
  // Only an exact VP must equal the integer reference (a coarse ADC or a
  // non-ideal device differs by design).
  const bool exact = crossbars_are_exact(arch);
  if (seeds > 1 && DeviceModel(arch.device, arch.crossbar.cell_bits).ideal() && AdcModel(arch).error_free())
    std::printf("note: the device and ADC of %s draw nothing at random: every seed gives the same result\n",
                arch.name.c_str());
  const size_t count = requested == 0 ? data.size() : std::min(data.size(), size_t(requested));

  if (!has_scales_for(model, policy) && !is_zoo_model(vm["model"].as<std::string>()))
    std::printf("calibrating %s on the first %zu training images\n", policy.str().c_str(), kCalibrationImages);
  flow::BuildOptions build_options;
  build_options.compile.placement = parse_placement(vm["placement"].as<std::string>());
  build_options.dataset = vm["dataset"].as<std::string>();
  flow::Pipeline pipeline(arch);
  std::optional<Dataset> adc_images;  // what an ADC range calibration observes
  if (flow::calibrates_adc(arch)) adc_images = load_dataset(vm["dataset"].as<std::string>(), Split::Train);
  pipeline.load(flow::build(model, policy, arch, build_options), vm["model"].as<std::string>(),
                adc_images ? &*adc_images : nullptr);
  if (const auto& adc = pipeline.adc_calibration())
    std::printf("ADC ranges calibrated (%s) on %zu training images: %zu column groups, full scales %lld..%lld "
                "(architecture: %lld)\n",
                adc->method.c_str(), adc->images, adc->groups, (long long)adc->smallest, (long long)adc->largest,
                (long long)adc->architecture);
  pipeline.soc().set_bit_accurate_crossbars(vm.count("bit-accurate") > 0);
  const bool check = !vm.count("no-check");
  const flow::Build& built = pipeline.loaded();

  std::printf("%s at %s on %s (%s placement): %zu %s images of %s\n", built.network.name.c_str(),
              policy.str().c_str(), arch.name.c_str(), placement_name(built.compiled.placement), count,
              split_name(data.split), data.name.c_str());
  const auto start = std::chrono::steady_clock::now();
  auto seed_start = start;
  flow::ClassifyOptions classify_options;
  classify_options.check_reference = check;
  classify_options.processes = jobs;
  size_t shown = 0;  // images done when progress was last shown
  classify_options.progress = [&](size_t done, size_t correct) {
    if (done < shown) shown = 0;  // a new seed
    if (done / 500 == shown / 500 && done != count) return;
    shown = done;
    std::fprintf(stderr, "\r  %zu/%zu images, accuracy %.2f %%, %.0f images/s", done, count,
                 100.0 * double(correct) / double(done), double(done) / seconds_since(seed_start));
  };
  std::vector<double> accuracies;
  std::optional<flow::Classification> first_seed;
  double vp_seconds = 0;
  size_t mismatches = 0;
  for (int k = 0; k < seeds; ++k) {
    const int64_t seed = arch.device.seed + k;
    if (k > 0) pipeline.soc().set_device_seed(uint64_t(seed));
    seed_start = std::chrono::steady_clock::now();
    flow::Classification result = pipeline.classify(data, count, classify_options);
    std::fprintf(stderr, "\n");
    accuracies.push_back(result.accuracy());
    vp_seconds += result.vp_seconds;
    mismatches += result.reference_mismatches.value_or(0);
    if (seeds > 1)
      std::printf("device.seed %-8lld accuracy %.2f %% (%zu of %zu)\n", (long long)seed,
                  100 * result.accuracy(), result.correct, count);
    if (k == 0) first_seed = std::move(result);
  }
  if (seeds > 1) pipeline.soc().set_device_seed(uint64_t(arch.device.seed));
  const double wall = seconds_since(start);
  const flow::AccuracySpread spread = flow::accuracy_spread(accuracies);
  const double accuracy = spread.mean;
  const flow::Classification& result = *first_seed;
  const Report& first = result.report;

  if (seeds > 1)
    std::printf("accuracy             %.2f %% mean over %d seeds, standard deviation %.2f, min %.2f, max %.2f\n",
                100 * spread.mean, seeds, 100 * spread.std_dev, 100 * spread.min, 100 * spread.max);
  else
    std::printf("accuracy             %.2f %% (%zu of %zu)\n", 100 * accuracy, result.correct, count);
  if (check)
    std::printf("VP vs integer reference: %zu of %zu outputs differ%s\n", mismatches, count * size_t(seeds),
                exact ? "" : " (expected: the ADC or the device is not exact)");
  std::printf("per image            %llu cycles, %.4g us simulated, %.4g uJ\n",
              (unsigned long long)first.inference_cycles, first.inference_seconds * 1e6,
              first.inference_energy_joules * 1e6);
  if (first.setup_cycles > 0 && !refreshes(arch.device))  // resident weights: programmed once, not per image
    std::printf("weights programmed   once: %llu cycles, %.4g uJ (resident placement)\n",
                (unsigned long long)first.setup_cycles, first.setup_energy_joules * 1e6);
  if (first.setup_cycles > 0 && refreshes(arch.device)) {  // reprogrammed every interval: each image's share
    std::printf("weights programmed   every %.6g s: %llu cycles, %.4g uJ; per image +%.4g us, +%.4g uJ\n",
                arch.device.refresh_interval_s, (unsigned long long)first.setup_cycles,
                first.setup_energy_joules * 1e6, first.refresh_seconds * 1e6, first.refresh_energy_joules * 1e6);
    std::printf("per image deployed   %.4g us, %.4g uJ (with the refresh; reads at ages spread over the interval)\n",
                first.deployed_inference_seconds * 1e6, first.deployed_inference_energy_joules * 1e6);
  }
  std::printf("host                 %.0f images/s through the VP (%.0f including the reference check)\n\n",
              double(count * size_t(seeds)) / vp_seconds, double(count * size_t(seeds)) / wall);
  std::cout << format_summary(first);
  if (vm.count("report")) {
    nlohmann::json j = to_json(first);
    j["accuracy"] = accuracy;
    if (seeds > 1) {
      j["accuracy_per_seed"] = accuracies;
      j["accuracy_std_dev"] = spread.std_dev;
      j["seeds"] = seeds;
    }
    j["images"] = count;
    j["images_per_second"] = double(count * size_t(seeds)) / vp_seconds;
    j["reference_mismatches"] = check ? nlohmann::json(mismatches) : nlohmann::json(nullptr);
    j["model"] = built.network.name;
    j["policy"] = {{"weight_bits", policy.weight_bits}, {"activation_bits", policy.activation_bits}};
    if (const auto& adc = pipeline.adc_calibration())
      j["adc_calibration"] = {{"method", adc->method},       {"images", adc->images},
                              {"column_groups", adc->groups}, {"smallest_full_scale", adc->smallest},
                              {"largest_full_scale", adc->largest}};
    write_json_file(j, vm["report"].as<std::string>());
  }
  if (vm.count("predictions")) write_predictions(result.predictions, vm["predictions"].as<std::string>());
  return check && exact && mismatches ? 4 : 0;
}

}  // namespace cimvp::cli
