#pragma once
// A small, strict XML parser for the report tests: it accepts only well-formed XML (balanced and
// matching tags, quoted attributes without duplicates, only the predefined and numeric entities,
// no bare '<' or '&' in text) and returns the element tree, so tests can both prove that a chart
// or page is well-formed and query it (titles, legend texts, coordinates).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace upcamp::testing {

struct XmlElement {
  std::string name;
  /// Attribute values with entities resolved, in document order.
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlElement> children;
  /// Character data directly inside this element (entities resolved), concatenated.
  std::string text;

  /// The attribute's value, or nullptr.
  const std::string* Attr(std::string_view key) const;
  /// Every descendant (and this element itself) named `element`, in document order.
  std::vector<const XmlElement*> FindAll(std::string_view element) const;
  /// The text of this element and all descendants, in document order.
  std::string AllText() const;
};

/// Parses one document: optional <?xml …?>, comments and one <!DOCTYPE …> before the single root
/// element. The error names the byte offset and what was expected.
Result<XmlElement> ParseXml(std::string_view document);

}  // namespace upcamp::testing
