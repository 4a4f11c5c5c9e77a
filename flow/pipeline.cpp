#include "flow/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

#include "common/error.h"
#include "common/seconds_since.h"
#include "compiler/io_layout.h"
#include "flow/adc_calibration.h"
#include "flow/run_in_processes.h"
#include "models/adc.h"
#include "nn/reference.h"

namespace cimvp::flow {

Soc& soc_for(const ArchConfig& arch) {
  // Never destroyed: SystemC modules must outlive the simulation context,
  // which ends after sc_main returns.
  // device.seed is the one parameter an elaborated SoC can change (a run
  // over several seeds uses one SoC).
  static std::vector<Soc*> socs;
  ArchConfig unseeded = arch;
  for (Soc* soc : socs) {
    unseeded.device.seed = soc->arch().device.seed;
    if (soc->arch() == unseeded) {
      if (arch.device.seed != soc->arch().device.seed) soc->set_device_seed(uint64_t(arch.device.seed));
      return *soc;
    }
  }
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    throw Error("architecture '" + arch.name +
                "': SystemC elaborates a design once per process, and this process has already simulated "
                "another architecture; run each architecture in a process of its own (or create every "
                "architecture's Pipeline before the first run)");
  const std::string name = "cimvp_soc" + (socs.empty() ? std::string() : "_" + std::to_string(socs.size()));
  socs.push_back(new Soc(name.c_str(), arch));
  return *socs.back();
}

AccuracySpread accuracy_spread(const std::vector<double>& a) {
  AccuracySpread s;
  if (a.empty()) return s;
  s.min = *std::min_element(a.begin(), a.end());
  s.max = *std::max_element(a.begin(), a.end());
  for (double x : a) s.mean += x;
  s.mean /= double(a.size());
  if (a.size() > 1) {
    double v = 0;
    for (double x : a) v += (x - s.mean) * (x - s.mean);
    s.std_dev = std::sqrt(v / double(a.size() - 1));
  }
  return s;
}

bool calibrates_adc(const ArchConfig& arch) { return arch.adc.calibrated() && !AdcModel(arch).exact(); }

Pipeline::Pipeline(const ArchConfig& arch) : soc_(&soc_for(arch)), calibrates_adc_(calibrates_adc(arch)) {}

void Pipeline::load(Build build, const std::string& source, const Dataset* training_images) {
  const bool calibrate = calibrates_adc_ && !build.compiled.image.timing_only && training_images;
  soc_->load(std::move(build.compiled.image), source);
  build.compiled.image = FirmwareImage{};
  build_ = std::move(build);
  has_network_ = true;
  adc_calibration_.reset();
  if (calibrate) calibrate_adc(*training_images, source);
}

void Pipeline::load(FirmwareImage image, const std::string& source) {
  soc_->load(std::move(image), source);
  build_ = Build{};
  has_network_ = false;
  adc_calibration_.reset();
}

void Pipeline::calibrate_adc(const Dataset& training_images, const std::string& source) {
  // Observe the exact column sums of the training images, then reload the
  // image with each group's full scale: the crossbars program the blocks
  // again and the device draws start over, as for any newly loaded image.
  ColumnSumRecorder recorder;
  const size_t count = std::min(training_images.size(), size_t(arch().adc.calibration_images));
  soc_->set_column_sum_recorder(&recorder);
  try {
    ClassifyOptions quiet;
    quiet.check_reference = false;
    classify_loaded(training_images, count, quiet);
  } catch (...) {
    soc_->set_column_sum_recorder(nullptr);
    throw;
  }
  soc_->set_column_sum_recorder(nullptr);
  FirmwareImage image = soc_->image();
  adc_calibration_ = choose_adc_ranges(recorder, arch(), image);
  adc_calibration_->images = count;
  soc_->load(std::move(image), source);
}

RunResult Pipeline::run(RunMode mode, const std::vector<TensorBytes>& inputs, TraceSink* trace) {
  return soc_->run(mode, inputs, trace);
}

Classification Pipeline::classify(const Dataset& images, size_t count, const ClassifyOptions& options) {
  if (calibrates_adc_ && has_network_ && !adc_calibration_)
    throw Error("architecture '" + arch().name + "' calibrates its ADC ranges (adc.calibration: " +
                arch().adc.calibration + "), but the image was loaded without training images to calibrate on");
  return classify_loaded(images, count, options);
}

Classification Pipeline::classify_loaded(const Dataset& images, size_t count, const ClassifyOptions& options) {
  if (!has_network_) throw Error("classify needs a network: the loaded image came without one");
  if (images.shape != build_.network.input_tensor().shape)
    throw Error("the model takes " + build_.network.input_tensor().shape.str() + " inputs, " + images.name + " has " +
                images.shape.str());
  count = std::min(count, images.size());
  const uint64_t first = soc_->next_inference();
  // A range's classification as bytes: the counts, then the predictions.
  struct Counts {
    uint64_t images, correct, checked, mismatches;
    double vp_seconds;
  };
  Report first_report;  // the first range runs in this process
  const std::vector<std::string> parts = run_in_processes(
      count, options.processes,
      [&](size_t begin, size_t end, const RangeTick& tick) {
        Classification c = classify_range(images, begin, end, first, options.check_reference, tick);
        if (begin == 0) first_report = std::move(c.report);
        const Counts n{c.predictions.size(), c.correct, c.reference_mismatches ? 1u : 0u,
                       c.reference_mismatches.value_or(0), c.vp_seconds};
        std::string bytes(sizeof n + n.images * sizeof(int32_t), '\0');
        std::memcpy(bytes.data(), &n, sizeof n);
        for (size_t i = 0; i < n.images; ++i) {
          const int32_t p = c.predictions[i];
          std::memcpy(bytes.data() + sizeof n + i * sizeof p, &p, sizeof p);
        }
        return bytes;
      },
      options.progress ? RangeTick([&](uint64_t done, uint64_t correct) { options.progress(done, correct); })
                       : RangeTick());
  soc_->set_next_inference(first + count);
  Classification c;
  c.report = std::move(first_report);
  c.predictions.reserve(count);
  if (options.check_reference) c.reference_mismatches = 0;
  for (const std::string& bytes : parts) {
    Counts n;
    std::memcpy(&n, bytes.data(), sizeof n);
    for (size_t i = 0; i < n.images; ++i) {
      int32_t p;
      std::memcpy(&p, bytes.data() + sizeof n + i * sizeof p, sizeof p);
      c.predictions.push_back(p);
    }
    c.correct += n.correct;
    if (n.checked) *c.reference_mismatches += n.mismatches;
    c.vp_seconds = std::max(c.vp_seconds, n.vp_seconds);
  }
  return c;
}

Classification Pipeline::classify_range(const Dataset& images, size_t begin, size_t end, uint64_t first,
                                        bool check_reference,
                                        const std::function<void(uint64_t done, uint64_t correct)>& tick) {
  const QuantizedNetwork& net = build_.network;
  std::unique_ptr<ReferenceExecutor> reference;
  if (check_reference) reference = std::make_unique<ReferenceExecutor>(net);
  Classification c;
  if (check_reference) c.reference_mismatches = 0;
  c.predictions.reserve(end - begin);
  soc_->set_next_inference(first + begin);
  for (size_t i = begin; i < end; ++i) {
    const std::vector<int8_t> x = quantize_input(net, images.image_vector(i));
    const auto t0 = std::chrono::steady_clock::now();
    const RunResult r = soc_->run(RunMode::Functional, {input_bytes(net, x)});
    c.vp_seconds += seconds_since(t0);
    if (i == begin) c.report = r.report;
    const std::vector<int32_t> y = output_values(soc_->image(), r.outputs[0]);
    const int predicted = argmax(y);
    c.predictions.push_back(predicted);
    c.correct += predicted == images.labels[i] ? 1 : 0;
    if (reference && reference->run(x) != y) ++*c.reference_mismatches;
    tick(i + 1 - begin, c.correct);
  }
  return c;
}

std::vector<double> Pipeline::accuracy_over_seeds(const Dataset& images, size_t count, int seeds, int processes) {
  const uint64_t first = uint64_t(soc_->arch().device.seed);
  std::vector<double> accuracies;
  for (int k = 0; k < seeds; ++k) {
    soc_->set_device_seed(first + uint64_t(k));
    ClassifyOptions o;
    o.check_reference = false;
    o.processes = processes;
    accuracies.push_back(classify(images, count, o).accuracy());
  }
  soc_->set_device_seed(first);
  return accuracies;
}

}  // namespace cimvp::flow
