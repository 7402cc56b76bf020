#include "json_tree.hpp"

#include <string>
#include <utility>
#include <vector>

namespace pgdrift::sql::detail {
namespace {

// nlohmann SAX events → a document. Objects collect their members in a vector of movable pairs
// and become an ordered_json object once, with its storage reserved, when they end.
class TreeBuilder {
 public:
  TreeBuilder(std::int64_t location_shift, std::size_t max_depth)
      : m_location_shift(location_shift), m_max_depth(max_depth) {}

  bool null() { return add(TreeJson(nullptr)); }
  bool boolean(bool value) { return add(TreeJson(value)); }
  bool number_integer(TreeJson::number_integer_t value) {
    return add(TreeJson(is_location() && value >= 0 ? value + m_location_shift : value));
  }
  bool number_unsigned(TreeJson::number_unsigned_t value) {
    if (is_location()) {
      return add(TreeJson(static_cast<TreeJson::number_integer_t>(value) + m_location_shift));
    }
    return add(TreeJson(value));
  }
  bool number_float(TreeJson::number_float_t value, const TreeJson::string_t&) {
    return add(TreeJson(value));
  }
  bool string(TreeJson::string_t& value) { return add(TreeJson(std::move(value))); }
  bool binary(TreeJson::binary_t& value) { return add(TreeJson(std::move(value))); }

  bool start_object(std::size_t) { return open(true); }
  bool key(TreeJson::string_t& name) {
    m_frames.back().key = std::move(name);
    return true;
  }
  bool end_object() {
    Frame frame = std::move(m_frames.back());
    m_frames.pop_back();
    TreeJson object(TreeJson::value_t::object);
    auto& members = object.get_ref<TreeJson::object_t&>();
    members.reserve(frame.members.size());
    for (auto& [name, value] : frame.members) members.emplace(name, std::move(value));
    return add(std::move(object));
  }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() {
    TreeJson array = std::move(m_frames.back().elements);
    m_frames.pop_back();
    return add(std::move(array));
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

  bool too_deep() const { return m_too_deep; }
  TreeJson take() { return std::move(m_root); }

 private:
  struct Frame {
    bool is_object = false;
    std::vector<std::pair<std::string, TreeJson>> members;  // of an object
    std::string key;                                        // the member being read
    TreeJson elements = TreeJson::array();                  // of an array
  };

  bool is_location() const {
    return !m_frames.empty() && m_frames.back().is_object && m_frames.back().key == "location";
  }

  bool open(bool is_object) {
    if (m_frames.size() >= m_max_depth) {
      m_too_deep = true;
      return false;
    }
    m_frames.emplace_back();
    m_frames.back().is_object = is_object;
    return true;
  }

  bool add(TreeJson&& value) {
    if (m_frames.empty()) {
      m_root = std::move(value);
    } else if (Frame& top = m_frames.back(); top.is_object) {
      top.members.emplace_back(std::move(top.key), std::move(value));
    } else {
      top.elements.push_back(std::move(value));
    }
    return true;
  }

  std::int64_t m_location_shift;
  std::size_t m_max_depth;
  std::vector<Frame> m_frames;
  TreeJson m_root;
  bool m_too_deep = false;
};

}  // namespace

TreeRead read_tree(std::string_view text, std::int64_t location_shift, std::size_t max_depth,
                   TreeJson& out) {
  TreeBuilder builder(location_shift, max_depth);
  const bool read = TreeJson::sax_parse(text.begin(), text.end(), &builder);
  if (builder.too_deep()) return TreeRead::too_deep;
  if (!read) return TreeRead::unreadable;
  out = builder.take();
  return TreeRead::ok;
}

}  // namespace pgdrift::sql::detail
