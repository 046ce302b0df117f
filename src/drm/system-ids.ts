/** DRM system IDs used by AWS encryptors (SPEKE.md §6), lower-case. */
export const SYSTEM_IDS = {
  widevine: 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
  playready: '9a04f079-9840-4286-ab92-e65be0885f95',
  fairplay: '94ce86fb-07ff-4f43-adb8-93d2fa968ca2',
  clearKeyAes128: '3ea8778f-7742-4bf9-b18b-e834b2acbd47',
  hlsAes128: '81376844-f976-481e-a84e-cc25d39b0b33',
  commonPssh: '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b',
} as const;
