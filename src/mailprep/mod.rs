//! Mail preparation: records become mailpieces (address block, suppressions).
