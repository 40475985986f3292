// bnnir HLS kernel library: every streaming kernel of the hwstream dialect, and the adapters
// between the accelerator's ports and its kernels.
#ifndef BNNIR_HPP
#define BNNIR_HPP

#include "adapters.hpp"
#include "common.hpp"
#include "dwc.hpp"
#include "label_select.hpp"
#include "mvtu.hpp"
#include "pad.hpp"
#include "pool.hpp"
#include "threshold.hpp"
#include "window.hpp"

#endif
