#pragma once
// Checks shared by the report tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "xml_check.h"

namespace upcamp::testing {

/// Every coordinate of every element of an <svg> (x, y, x1…y2, cx, cy, width, height, the
/// numbers of path data) lies inside its viewBox; rectangles end inside it too.
::testing::AssertionResult InsideViewBox(const XmlElement& svg);

/// The texts of all <text> elements with the given class attribute, in document order.
std::vector<std::string> TextsOfClass(const XmlElement& root, std::string_view cls);

/// Numbers of points in the "d" attributes of all <path> elements.
std::vector<size_t> PathPointCounts(const XmlElement& root);

}  // namespace upcamp::testing
