// Fold the notices this user already read today, on a server-drawn page (static/js/notice-fold.js).
import { foldReadNotices } from "./notice-fold.js";

foldReadNotices(document);
