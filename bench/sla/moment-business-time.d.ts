// moment-business-time ships no types: the two methods the bench calls, and its locale keys.
import "moment"

declare module "moment" {
  interface Moment {
    /** Adds working time in place (and returns the same moment). */
    addWorkingTime(amount: number, unit: string): Moment
    /** Working time from `other` to this moment, in `unit`, truncated unless `precise`. */
    workingDiff(other: Moment, unit?: string, precise?: boolean): number
  }
}

declare module "moment-business-time" {}
