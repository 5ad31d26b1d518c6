#include "metrics/registry.h"

#include <charconv>
#include <cmath>
#include <type_traits>

namespace homer::metrics {
namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof(buf), v).ptr;  // shortest text that reads back as v
  return std::string(buf, end);
}

/// A label value escaped as the format asks: backslash, double quote and newline.
std::string Escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

std::string LabelText(const std::vector<std::string>& names, const Labels& values, const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + Escaped(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

void Header(std::string* out, const std::string& name, const std::string& help, const char* type) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_->size() && value > (*bounds_)[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::Cumulative() const {
  std::vector<uint64_t> out;
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) out.push_back(total += counts_[i].load(std::memory_order_relaxed));
  return out;
}

template <typename Child>
Child& Family<Child>::With(const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& child = children_[labels];
  if (!child) {
    if constexpr (std::is_same_v<Child, Histogram>) child = std::make_unique<Histogram>(&bounds_);
    else child = std::make_unique<Child>();
  }
  return *child;
}
template class Family<Counter>;
template class Family<Histogram>;

Registry& Registry::Default() {
  static Registry registry;
  return registry;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  counters_.push_back(std::make_unique<Family<Counter>>(name, help, std::move(labels)));
  return *counters_.back();
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<double> bounds, std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(name, help, std::move(labels)));
  histograms_.back()->bounds_ = std::move(bounds);
  return *histograms_.back();
}

uint64_t Registry::AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels,
                            std::function<GaugeSamples()> read) {
  std::lock_guard lock(mutex_);
  gauges_[next_gauge_] = {name, help, std::move(labels), std::move(read)};
  return next_gauge_++;
}

void Registry::RemoveGauge(uint64_t id) {
  std::lock_guard lock(mutex_);
  gauges_.erase(id);
}

std::string Registry::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : counters_) {
    Header(&out, f->name_, f->help_, "counter");
    std::lock_guard children(f->mutex_);
    for (const auto& [labels, c] : f->children_) {
      out += f->name_ + LabelText(f->label_names_, labels) + " " + Number(c->value()) + "\n";
    }
  }
  for (const auto& f : histograms_) {
    Header(&out, f->name_, f->help_, "histogram");
    std::lock_guard children(f->mutex_);
    for (const auto& [labels, h] : f->children_) {
      const auto counts = h->Cumulative();
      for (size_t i = 0; i < counts.size(); ++i) {
        const double bound = i < f->bounds_.size() ? f->bounds_[i] : INFINITY;
        out += f->name_ + "_bucket" + LabelText(f->label_names_, labels, "le=\"" + Number(bound) + "\"") + " " +
               std::to_string(counts[i]) + "\n";
      }
      out += f->name_ + "_sum" + LabelText(f->label_names_, labels) + " " + Number(h->sum()) + "\n";
      out += f->name_ + "_count" + LabelText(f->label_names_, labels) + " " + std::to_string(counts.back()) + "\n";
    }
  }
  // Gauges sharing a name (one per owner) are rendered under one header.
  std::map<std::string, std::vector<const Gauge*>> by_name;
  for (const auto& [id, g] : gauges_) by_name[g.name].push_back(&g);
  for (const auto& [name, gauges] : by_name) {
    Header(&out, name, gauges.front()->help, "gauge");
    for (const Gauge* g : gauges) {
      for (const auto& [labels, value] : g->read()) out += name + LabelText(g->labels, labels) + " " + Number(value) + "\n";
    }
  }
  return out;
}

}  // namespace homer::metrics
