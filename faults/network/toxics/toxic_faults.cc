// The proxy faults, each written once against ToxicApi: network.latency & co. act on a
// proxy the plan declares (the drill's own, in process); network.toxiproxy applies the
// same toxics on a Toxiproxy-compatible server over HTTP.
#include <algorithm>
#include <cstdlib>
#include <set>

#include "faults/network/network_faults.h"
#include "faults/network/toxics/toxic_apis.h"
#include "runner/core/json_reader.h"

namespace faultline {
namespace {

const char* const kDrillApi = "drill";

// One kind of proxy fault: the toxic type it adds (none for `down`) and its params,
// each turned into the toxic's attribute of the same name.
struct ToxicKind {
  std::string fault_type;  // "network.latency"
  std::string toxic_type;  // "latency"; "" = disable the proxy (network.down)
  std::string summary;
  std::vector<ParamSpec> params;
  // Params that must be given (a required ParamSpec would not do: network.toxiproxy
  // holds every kind's params, each optional there).
  std::vector<std::string> required;
};

ParamSpec duration_param(const std::string& name, const std::string& doc) {
  return {name, ParamKind::duration, false, 0, doc, {}};
}
ParamSpec integer_param(const std::string& name, const std::string& doc) {
  return {name, ParamKind::integer, false, 0, doc, {}};
}

const std::vector<ToxicKind>& kinds() {
  static const std::vector<ToxicKind> table = {
      {"network.latency",
       "latency",
       "Delay the data a proxy carries (per chunk, plus jitter).",
       {duration_param("latency", "added to each chunk"),
        duration_param("jitter", "the delay varies by up to this either way")},
       {"latency"}},
      {"network.bandwidth",
       "bandwidth",
       "Limit a proxy's throughput.",
       {integer_param("rate", "KB/s (1 KB = 1000 bytes)")},
       {"rate"}},
      {"network.timeout",
       "timeout",
       "Stop forwarding; close connections after `timeout` (0: hold until rolled back).",
       {duration_param("timeout", "close after this; 0s = never")},
       {}},
      {"network.reset",
       "reset_peer",
       "Reset connections (TCP RST) after `timeout`.",
       {duration_param("timeout", "reset after this")},
       {}},
      {"network.slow_close",
       "slow_close",
       "Delay closing connections.",
       {duration_param("delay", "how long the close waits")},
       {"delay"}},
      {"network.slicer",
       "slicer",
       "Cut the data into small chunks, with a delay between them.",
       {integer_param("average_size", "bytes per chunk"),
        integer_param("size_variation", "bytes either way"),
        duration_param("delay", "between chunks")},
       {"average_size"}},
      {"network.limit_data",
       "limit_data",
       "Close connections after `bytes` bytes.",
       {integer_param("bytes", "bytes let through per connection")},
       {"bytes"}},
      {"network.down",
       "",
       "Take a proxy down: it refuses connections and closes those it has.",
       {},
       {}},
      {"http.fault",
       "http.fault",
       "For a share (toxicity) of HTTP requests, answer `status` or delay the response.",
       {integer_param("status", "HTTP status to answer instead (0: forward)"),
        duration_param("delay", "delay before the response"),
        {"body", ParamKind::string, false, "", "body of the answer", {}}},
       {}},
  };
  return table;
}

const ToxicKind* kind_named(const std::string& fault_type, const std::string& toxic_type = "") {
  for (const auto& kind : kinds()) {
    if (!fault_type.empty() && kind.fault_type == fault_type) return &kind;
    if (fault_type.empty() &&
        (kind.toxic_type == toxic_type || (toxic_type == "down" && kind.toxic_type.empty()))) {
      return &kind;
    }
  }
  return nullptr;
}

std::vector<ParamSpec> common_params() {
  return {{"stream",
           ParamKind::choice,
           false,
           "downstream",
           "downstream: server -> client; upstream: client -> server",
           {"downstream", "upstream"}},
          {"toxicity",
           ParamKind::string,
           false,
           "1",
           "share of connections it acts on: 0 to 1, or 0% to 100%",
           {}}};
}

// Names in URLs and toxic names: letters, digits, . _ -
bool is_url_name(const std::string& name) {
  return !name.empty() && name.size() <= 200 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
         });
}

Result<double> parse_toxicity(const std::string& text) {
  std::string number = text;
  bool percent = !number.empty() && number.back() == '%';
  if (percent) number.pop_back();
  char* end = nullptr;
  double value = number.empty() ? -1 : std::strtod(number.c_str(), &end);
  if (percent) value /= 100;
  if (number.empty() || end == nullptr || *end != '\0' || !(value >= 0 && value <= 1)) {
    return Error{ErrorCode::invalid, "toxicity '" + text + "' must be from 0 to 1 (or 0% to 100%)",
                 "toxicity"};
  }
  return value;
}

// What a proxy fault does, checked at load; the toxic lacks only its name.
struct ToxicAction {
  const ToxicKind* kind = nullptr;
  std::string api;  // "" = the drill's proxies
  std::string proxy;
  Json toxic;  // {type, stream, toxicity, attributes}

  std::string describe() const {
    std::string where = "proxy '" + proxy + "'" + (api.empty() ? "" : " at " + api);
    if (kind->toxic_type.empty()) return "take " + where + " down";
    return kind->toxic_type + " " + toxic["attributes"].dump() + " on " + where + " (" +
           toxic["stream"].get<std::string>() + ")";
  }
};

// The toxic from normalized `values`: a param of another kind is refused, the kind's
// own params default as its schema says, and the required ones must be there.
Result<ToxicAction> read_action(const ToxicKind& kind, const Params& params, std::string api,
                                const std::set<std::string>& foreign) {
  const Json& values = params.json();
  ToxicAction action;
  action.kind = &kind;
  action.api = std::move(api);
  action.proxy = params.text("proxy");
  if (!is_url_name(action.proxy)) {
    return Error{ErrorCode::invalid,
                 "proxy name '" + action.proxy + "' must be letters, digits, '.', '_' or '-'",
                 "proxy"};
  }
  for (const auto& name : foreign) {
    if (values.contains(name) && !values[name].is_null()) {
      bool own = std::any_of(kind.params.begin(), kind.params.end(),
                             [&](const ParamSpec& spec) { return spec.name == name; });
      if (!own) {
        return Error{ErrorCode::invalid,
                     "'" + name + "' is not a param of toxic " +
                         (kind.toxic_type.empty() ? "down" : kind.toxic_type),
                     name};
      }
    }
  }
  for (const auto& name : kind.required) {
    if (!values.contains(name) || values[name].is_null()) {
      return Error{ErrorCode::invalid, kind.fault_type + " needs '" + name + "'", name};
    }
  }
  Json attributes = Json::object();
  for (const auto& spec : kind.params) {
    const Json& given = values.contains(spec.name) ? values[spec.name] : spec.default_value;
    Json value = given.is_null() ? spec.default_value : given;
    if (value.is_number_integer() && value.get<int64_t>() < 0) {
      return Error{ErrorCode::invalid, "'" + spec.name + "' must not be negative", spec.name};
    }
    // Toxiproxy's slicer takes its delay in microseconds; every other time in ms.
    if (kind.toxic_type == "slicer" && spec.name == "delay") value = value.get<int64_t>() * 1000;
    attributes[spec.name] = value;
  }
  if (kind.toxic_type == "slicer" &&
      attributes["size_variation"].get<int64_t>() > attributes["average_size"].get<int64_t>()) {
    return Error{ErrorCode::invalid, "size_variation must not exceed average_size",
                 "size_variation"};
  }
  if (kind.toxic_type == "http.fault") {
    int64_t status = attributes["status"];
    if (status != 0 && (status < 100 || status > 599)) {
      return Error{ErrorCode::invalid, "status must be an HTTP status (100-599)", "status"};
    }
    if (status == 0 && attributes["delay"].get<int64_t>() == 0) {
      return Error{ErrorCode::invalid, "http.fault needs a status or a delay"};
    }
  }
  auto toxicity = parse_toxicity(params.has("toxicity") ? params.text("toxicity") : "1");
  if (!toxicity.ok()) return toxicity.error();
  action.toxic = Json{{"type", kind.toxic_type},
                      {"stream", params.has("stream") ? params.text("stream") : "downstream"},
                      {"toxicity", *toxicity},
                      {"attributes", attributes}};
  return action;
}

// The API a journaled or configured action acts through: the drill's own proxies (null
// when they are gone: recover runs after their runner died), or an HTTP server.
ToxicApi* api_for(const std::string& api, ActionContext& context, std::unique_ptr<ToxicApi>& http) {
  if (api.empty() || api == kDrillApi) return context.drill_proxies();
  http = make_http_toxic_api(context.target(), api);
  return http.get();
}

class ToxicFault final : public Fault {
 public:
  explicit ToxicFault(ToxicAction action) : action_(std::move(action)) {}

  std::string describe() const override { return action_.describe(); }
  std::string plan_proxy() const override { return action_.api.empty() ? action_.proxy : ""; }

  Status preflight(Target& target) const override {
    if (action_.api.empty()) return {};  // the runner starts the plan's proxies itself
    auto found = make_http_toxic_api(target, action_.api)->proxy(action_.proxy);
    if (!found.ok()) return found.error().with_context("Toxiproxy proxy '" + action_.proxy + "'");
    return {};
  }

  Result<Json> inject(FaultContext& context) const override {
    std::unique_ptr<ToxicApi> http;
    ToxicApi* api = api_for(action_.api, context, http);
    if (api == nullptr) {
      return Error{ErrorCode::not_found, "the drill's proxies are not running"};
    }
    Json spec{{"api", action_.api.empty() ? kDrillApi : action_.api}, {"proxy", action_.proxy}};
    if (action_.kind->toxic_type.empty()) {
      auto proxy = api->proxy(action_.proxy);
      if (!proxy.ok()) return proxy.error();
      // Already down: nothing to do, and nothing for rollback to bring up.
      if (proxy->contains("enabled") && (*proxy)["enabled"] == false) return Json(nullptr);
      spec["enable"] = true;
      if (Status journaled = context.journal_before_acting(spec, action_.describe()); !journaled) {
        return journaled.error();
      }
      if (Status down = api->set_enabled(action_.proxy, false); !down) return down.error();
      return spec;
    }
    // Named for this drill and fault, so two drills on one server never touch each
    // other's toxics, and rollback removes exactly this one.
    std::string name = "faultline_" + context.drill_id() + "_" + context.fault_name();
    spec["toxic"] = name;
    Json toxic = action_.toxic;
    toxic["name"] = name;
    if (Status journaled = context.journal_before_acting(spec, action_.describe()); !journaled) {
      return journaled.error();
    }
    if (Status added = api->add_toxic(action_.proxy, toxic); !added) {
      return added.error().with_context(api->describe());
    }
    return spec;
  }

 private:
  ToxicAction action_;
};

class ToxicFaultType final : public FaultType {
 public:
  // `kind` null: network.toxiproxy, whose `toxic:` param chooses the kind.
  explicit ToxicFaultType(const ToxicKind* kind) : kind_(kind) {
    if (kind_) {
      schema_.params.push_back({"proxy",
                                ParamKind::string,
                                true,
                                nullptr,
                                "the proxy (under the plan's proxies:) to act on",
                                {}});
      if (!kind_->toxic_type.empty()) {
        for (ParamSpec spec : kind_->params) {
          if (std::count(kind_->required.begin(), kind_->required.end(), spec.name)) {
            spec.required = true;
            spec.default_value = nullptr;
          }
          schema_.params.push_back(spec);
        }
        for (auto& spec : common_params()) schema_.params.push_back(spec);
      }
      return;
    }
    std::vector<std::string> toxics;
    for (const auto& kind : kinds())
      toxics.push_back(kind.toxic_type.empty() ? "down" : kind.toxic_type);
    schema_.params = {
        {"api",
         ParamKind::string,
         true,
         nullptr,
         "the Toxiproxy API, e.g. http://127.0.0.1:8474",
         {}},
        {"proxy", ParamKind::string, true, nullptr, "the proxy's name on that server", {}},
        {"toxic", ParamKind::choice, true, nullptr, "what to do (params as the network.* types)",
         toxics}};
    for (auto& spec : common_params()) schema_.params.push_back(spec);
    for (const auto& kind : kinds()) {
      for (ParamSpec spec : kind.params) {
        if (schema_.find(spec.name)) continue;
        spec.default_value = nullptr;  // each kind defaults its own
        schema_.params.push_back(spec);
      }
    }
  }

  std::string name() const override { return kind_ ? kind_->fault_type : "network.toxiproxy"; }
  std::string summary() const override {
    return kind_ ? kind_->summary
                 : "Apply a proxy fault (toxic: latency, timeout, down, ...) on a "
                   "Toxiproxy-compatible server; rollback and recover remove it.";
  }
  const Schema& schema() const override { return schema_; }

  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    const ToxicKind* kind = kind_;
    std::string api;
    if (!kind) {
      api = params.text("api");
      if (Status ok = check_api_url(api); !ok) return ok.error();
      kind = kind_named("", params.text("toxic"));
      if (!kind) return Error{ErrorCode::invalid, "unknown toxic", "toxic"};
    }
    std::set<std::string> all_params;
    for (const auto& spec : schema_.params) all_params.insert(spec.name);
    for (const char* shared : {"api", "proxy", "toxic", "stream", "toxicity"}) {
      all_params.erase(shared);
    }
    auto action = read_action(*kind, params, api, all_params);
    if (!action.ok()) return action.error();
    return std::unique_ptr<Fault>(std::make_unique<ToxicFault>(std::move(*action)));
  }

  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, name() + " rollback");
    auto api_name = reader.text("api");
    if (!api_name.ok()) return api_name.error();
    auto proxy = reader.text("proxy");
    if (!proxy.ok()) return proxy.error();
    auto toxic = reader.text_or("toxic", "");
    if (!toxic.ok()) return toxic.error();
    if (!is_url_name(*proxy) || (!toxic->empty() && !is_url_name(*toxic)) ||
        (*api_name != kDrillApi && !check_api_url(*api_name).ok())) {
      return Error{ErrorCode::invalid,
                   "the journaled proxy, toxic or API is not one faultline makes"};
    }
    std::unique_ptr<ToxicApi> http;
    ToxicApi* api = api_for(*api_name, context, http);
    // The drill's proxies ended with the runner that ran them, toxics and all.
    if (api == nullptr) return Undo::already_undone;
    Status undone =
        toxic->empty() ? api->set_enabled(*proxy, true) : api->remove_toxic(*proxy, *toxic);
    if (!undone.ok() && undone.error().is(ErrorCode::not_found)) return Undo::already_undone;
    if (!undone.ok()) return undone.error().with_context(api->describe());
    return Undo::done;
  }

 private:
  const ToxicKind* kind_;
  Schema schema_;
};

}  // namespace

std::vector<std::unique_ptr<FaultType>> make_proxy_fault_types() {
  std::vector<std::unique_ptr<FaultType>> types;
  for (const auto& kind : kinds()) types.push_back(std::make_unique<ToxicFaultType>(&kind));
  types.push_back(std::make_unique<ToxicFaultType>(nullptr));
  return types;
}

}  // namespace faultline
