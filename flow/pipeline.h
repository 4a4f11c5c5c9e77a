// Steps 3 to 5 of the pipeline: an image on the SoC of its architecture,
// run in timing mode (a report) or functionally over dataset images (a
// report, predictions and accuracy, each checked against the integer
// reference on request).
//
// SystemC elaborates a design once per process, so SoCs cannot be made
// after the first simulation has started. This is the one place that deals
// with it: soc_for() keeps one SoC per architecture for the whole process;
// a Pipeline for an architecture seen before reuses its SoC, and one for a
// new architecture after the first run is refused with a message saying why.
// A process that runs many architectures (a sweep) runs one per process.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "flow/build.h"
#include "nn/dataset.h"
#include "platform/soc.h"

namespace cimvp::flow {

// The SoC of `arch` in this process: elaborated on first use, the same one
// afterwards (architectures are equal when every parameter is). Throws
// cimvp::Error for a new architecture once a simulation has started.
Soc& soc_for(const ArchConfig& arch);

// What an ADC range calibration chose (Pipeline::load, adc.calibration).
struct AdcCalibrationSummary {
  std::string method;     // adc.calibration
  size_t images = 0;      // training images whose column sums were observed
  size_t groups = 0;      // column groups given a full scale (over every block)
  int64_t smallest = 0, largest = 0;  // full scales chosen
  int64_t architecture = 0;           // the architecture's full scale, for comparison
};

// True when loading a functional image on `arch` calibrates its ADC ranges
// first: adc.calibration is not none and the ADC is not already exact.
bool calibrates_adc(const ArchConfig& arch);

struct ClassifyOptions {
  bool check_reference = true;  // run the integer reference on every image too
  // Called after every image: images done, correct so far.
  std::function<void(size_t done, size_t correct)> progress;
  // Processes to classify in (flow/run_in_processes.h): the same
  // predictions with any number, each image's noise being its own.
  int processes = 1;
};

struct Classification {
  Report report;                 // of the first image (every image has the same counts)
  std::vector<int> predictions;  // the VP's class of every image
  size_t correct = 0;
  std::optional<size_t> reference_mismatches;  // images whose output differs from the reference, when checked
  double vp_seconds = 0;         // wall time spent inside the VP (of the slowest process)
  double accuracy() const { return predictions.empty() ? 0.0 : double(correct) / double(predictions.size()); }
};

// Accuracies of several device draws (seeds), summarized.
struct AccuracySpread {
  double mean = 0, std_dev = 0, min = 0, max = 0;  // std_dev: sample standard deviation (0 for one)
};
AccuracySpread accuracy_spread(const std::vector<double>& accuracies);

class Pipeline {
 public:
  explicit Pipeline(const ArchConfig& arch);

  const ArchConfig& arch() const { return soc_->arch(); }
  Soc& soc() { return *soc_; }

  // Loads a built network; its image moves to the SoC (image() below).
  // `source` names it in messages. When calibrates_adc(arch()), the image
  // is functional and `training_images` are given, the ADC ranges are
  // calibrated first on the first adc.calibration_images of them
  // (flow/adc_calibration.h). Without them the image keeps the
  // architecture's full scale: run() works (cycles do not depend on it),
  // classify() refuses.
  void load(Build build, const std::string& source, const Dataset* training_images = nullptr);
  // Loads an image without a network (a file, hand-written firmware):
  // run() works, classify() needs a network.
  void load(FirmwareImage image, const std::string& source);

  const FirmwareImage& image() const { return soc_->image(); }
  // The loaded build's network and compiler plan (its image is image()).
  const Build& loaded() const { return build_; }
  // The ADC range calibration of the loaded image, when one ran.
  const std::optional<AdcCalibrationSummary>& adc_calibration() const { return adc_calibration_; }

  // One run of the loaded image (soc.h).
  RunResult run(RunMode mode, const std::vector<TensorBytes>& inputs = {}, TraceSink* trace = nullptr);
  // One timing-mode run's report.
  Report time(TraceSink* trace = nullptr) { return run(RunMode::Timing, {}, trace).report; }
  // Functional runs of the first `count` images of `images`.
  Classification classify(const Dataset& images, size_t count, const ClassifyOptions& options = {});
  // The accuracy of classify() on the first `count` images under `seeds`
  // device draws (device.seed, +1, ...; the architecture's seed is set back
  // afterwards), one per seed, each classified in `processes` processes.
  std::vector<double> accuracy_over_seeds(const Dataset& images, size_t count, int seeds, int processes = 1);

 private:
  void calibrate_adc(const Dataset& training_images, const std::string& source);
  // classify() on the image as loaded, calibrated or not (calibrate_adc's runs).
  Classification classify_loaded(const Dataset& images, size_t count, const ClassifyOptions& options);
  // Images [begin, end) in this process, as inferences first + begin, ...
  Classification classify_range(const Dataset& images, size_t begin, size_t end, uint64_t first, bool check_reference,
                                const std::function<void(uint64_t done, uint64_t correct)>& tick);

  Soc* soc_;
  bool calibrates_adc_;  // calibrates_adc(arch()), which no later change of the SoC alters
  Build build_;
  bool has_network_ = false;
  std::optional<AdcCalibrationSummary> adc_calibration_;
};

}  // namespace cimvp::flow
