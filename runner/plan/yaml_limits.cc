#include "runner/plan/yaml_limits.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace faultline {
namespace {

class NodeCounter : public YAML::EventHandler {
 public:
  struct TooMany {
    YAML::Mark mark;
  };
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnMapEnd() override {}

 private:
  void count(const YAML::Mark& mark) {
    if (++nodes_ > kMaxYamlNodes) throw TooMany{mark};
  }
  size_t nodes_ = 0;
};

}  // namespace

std::vector<YAML::Node> parse_plan_documents(const std::string& path, const std::string& text,
                                             std::vector<Diagnostic>& diagnostics) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    NodeCounter counter;
    while (parser.HandleNextDocument(counter)) {
    }
    return YAML::LoadAll(text);
  } catch (const NodeCounter::TooMany& too_many) {
    diagnostics.push_back({{path, too_many.mark.line + 1, too_many.mark.column + 1},
                           "plan has more than 50,000 YAML nodes; refusing to read it"});
  } catch (const YAML::ParserException& problem) {
    std::string message = problem.msg;
    if (dynamic_cast<const YAML::DeepRecursion*>(&problem)) message = "nesting is too deep";
    diagnostics.push_back(
        {{path, problem.mark.line + 1, problem.mark.column + 1}, "invalid YAML: " + message});
  } catch (const YAML::Exception& problem) {
    diagnostics.push_back(
        {{path, problem.mark.line + 1, problem.mark.column + 1}, "invalid YAML: " + problem.msg});
  }
  return {};
}

}  // namespace faultline
