export { isoVietnamTime, vietnamDateAndTime } from "@kyso/core";
