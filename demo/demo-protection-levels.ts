/**
 * The SPEKE v2.1 output-protection settings `npm run demo` starts with when the environment sets
 * none (docs/speke-v2.1.md "HDCP and robustness"): HDCP by resolution, Widevine robustness for HD and UHD,
 * FairPlay CPC labels. The e2e test of the demo page uses the same ones.
 */
export const DEMO_PROTECTION_LEVELS = {
  SPEKE_HDCP_LEVELS: 'SD=NONE,HD=TYPE-0,UHD=TYPE-1',
  SPEKE_ROBUSTNESS: 'widevine:HD=HW_SECURE_DECODE,widevine:UHD=HW_SECURE_ALL,playready:UHD=3000',
  SPEKE_HLS_ALLOWED_CPC: 'fairplay:*=AppleBaseline/AppleMain/Baseline/Main,fairplay:UHD=AppleMain/Main',
} as const;
