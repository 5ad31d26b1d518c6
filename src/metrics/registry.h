#pragma once
/// \file
/// Prometheus metrics, defined where they are counted and rendered in the text exposition format
/// (version 0.0.4) by GET /metrics. A base layer: any folder may count, none depends on how the
/// text is served. Counters and histograms are lock-free to update once their label set exists;
/// gauges are read from their owner when rendered.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace homer::metrics {

using Labels = std::vector<std::string>;  ///< values, in the family's label-name order

class Counter {
 public:
  void Add(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double value);
  /// Cumulative counts per bound (+Inf last), and the sum.
  std::vector<uint64_t> Cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  ///< per bucket, +Inf last (not cumulative)
  std::atomic<double> sum_{0};
};

/// One metric name with its label names and a child per label set.
template <typename Child>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  /// The child for these label values (created at first use; references stay valid).
  Child& With(const Labels& labels);

 private:
  friend class Registry;
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  ///< histograms only
  mutable std::mutex mutex_;
  std::map<Labels, std::unique_ptr<Child>> children_;
};

/// A gauge read when rendered: one sample per label set.
using GaugeSamples = std::vector<std::pair<Labels, double>>;

class Registry {
 public:
  /// The process's registry.
  static Registry& Default();

  Family<Counter>& AddCounter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                                  std::vector<std::string> labels = {});
  /// `read` runs at every render; returns an id for RemoveGauge (its owner may go away first).
  uint64_t AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels,
                    std::function<GaugeSamples()> read);
  void RemoveGauge(uint64_t id);

  /// Every family in the text exposition format.
  std::string Render() const;

 private:
  struct Gauge {
    std::string name, help;
    std::vector<std::string> labels;
    std::function<GaugeSamples()> read;
  };
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
  std::map<uint64_t, Gauge> gauges_;
  uint64_t next_gauge_ = 1;
};

}  // namespace homer::metrics
