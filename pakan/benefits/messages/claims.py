"""Messages (English, Lao) of claims, decisions, appeals, awards and the death hook; merged
into pakan.benefits.validation.MESSAGES. Codes start with "claim_" or "award_".

A check's message is `claim_<check>` when it fails and `claim_<check>_ok` when it passes
(pakan.benefits.services.claim_checks). Notices (`claim_notice_*`, `award_notice_*`) are the
texts of the notifications sent to claimants.

Lao terms from the glossary: ການຂໍຮັບເງິນອຸດໜູນ (claim), ອະນຸມັດ (approve), ປະຕິເສດ (reject),
ການອຸທອນ (appeal), ເອກະສານປະກອບ (supporting documents), ຜູ້ປະກັນຕົນ (insured person),
ຜູ້ເກີດສິດ (beneficiary), ເງິນບຳເນັດ (lump sum), ເງິນອຸດໜູນ (benefit), ໂຈະ (suspended),
ສະມາຊິກຄອບຄົວ (family member), ຄົວເຮືອນ (household), ໜັງສືຢັ້ງຢືນການເສຍຊີວິດ (death
certificate), ເງື່ອນໄຂການເກີດສິດ (qualifying conditions), ເງິນສົມທົບ (contribution), ບັນຊີທະນາຄານ
(bank account), ເລກບັນຊີ (account number), ເຈົ້າໜ້າທີ່ (officer), ວັນທີ (date), ກີບ (kip),
ເບີກຈ່າຍ (pay out). Own wording (not in the glossary): ຖອນ (withdraw), ແຈ້ງການ (notification),
ຮຽກຄືນ (recover, as in the benefits' chart of accounts), ສິ້ນສຸດ (ended, as in the fund's
voluntary pages), ສືບຕໍ່ຈ່າຍ (resume payment), ຕັດສິນໃໝ່ (decide again), ປະເພດໄຟລ໌ (file type).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- input -------------------------------------------------------------------------------
    "claim_bad_branch": (
        "Unknown benefit branch; it must be one of: {branches}.",
        "ປະເພດເງິນອຸດໜູນບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນໜຶ່ງໃນ: {branches}."),
    "claim_bad_channel": (
        "Unknown channel; it must be office, self_service or api.",
        "ຊ່ອງທາງບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນ office, self_service ຫຼື api."),
    "claim_required": ("This field is required.", "ຕ້ອງຕື່ມຄ່າ."),
    "claim_bad_date": ("Not a date in the form YYYY-MM-DD.",
                       "ວັນທີບໍ່ຖືກຮູບແບບ ປປປປ-ດດ-ວວ."),
    "claim_unknown_member": (
        "No insured person with this social security number in your area.",
        "ບໍ່ພົບຜູ້ປະກັນຕົນທີ່ມີລະຫັດປະກັນສັງຄົມນີ້ ໃນເຂດຂອງທ່ານ."),
    "claim_unknown_person": (
        "No person with this registry number.",
        "ບໍ່ພົບບຸກຄົນທີ່ມີເລກທະບຽນນີ້."),
    "claim_not_insured": (
        "This person is not an insured person of the fund: there is no contribution record "
        "to claim a benefit on.",
        "ບຸກຄົນນີ້ບໍ່ແມ່ນຜູ້ປະກັນຕົນຂອງກອງທຶນ: ບໍ່ມີປະຫວັດເງິນສົມທົບເພື່ອຂໍຮັບເງິນອຸດໜູນ."),
    "claim_claimant_required": (
        "Name the survivor or family member who claims (registry number).",
        "ກະລຸນາລະບຸສະມາຊິກຄອບຄົວທີ່ຂໍຮັບເງິນອຸດໜູນ (ເລກທະບຽນ)."),
    "claim_at_office_only": (
        "Survivors' and funeral claims are made at an NSSF office, by an officer.",
        "ການຂໍຮັບເງິນອຸດໜູນສະມາຊິກຄອບຄົວ ແລະ ເງິນອຸດໜູນຊາປະນະກິດສົບ ຕ້ອງຍື່ນຢູ່ຫ້ອງການ "
        "ປະກັນສັງຄົມ ໂດຍເຈົ້າໜ້າທີ່."),
    "claim_own_claims_only": (
        "This account may claim only for its own insured person, as the claimant.",
        "ບັນຊີນີ້ຂໍຮັບເງິນອຸດໜູນໄດ້ສະເພາະສຳລັບຕົນເອງເທົ່ານັ້ນ."),
    "claim_fact_unknown": (
        "Not a fact of the {branch} branch; its facts are: {allowed}.",
        "ບໍ່ແມ່ນຂໍ້ມູນຂອງປະເພດ {branch}; ຂໍ້ມູນຂອງປະເພດນີ້ແມ່ນ: {allowed}."),
    "claim_fact_not_boolean": ("Must be yes or no (true or false).",
                               "ຕ້ອງແມ່ນ ແມ່ນ ຫຼື ບໍ່ແມ່ນ (true ຫຼື false)."),
    "claim_fact_not_integer": ("Must be a whole number, 0 or more.",
                               "ຕ້ອງແມ່ນຈຳນວນເຕັມ, 0 ຫຼື ຫຼາຍກວ່າ."),
    "claim_fact_not_month": ("Must be a month written YYYY-MM.",
                             "ຕ້ອງແມ່ນເດືອນທີ່ຂຽນເປັນ YYYY-MM."),
    "claim_fact_not_choice": ("Must be one of: {choices}.", "ຕ້ອງແມ່ນໜຶ່ງໃນ: {choices}."),
    "claim_fact_required": ("This fact is required for this branch.",
                            "ຂໍ້ມູນນີ້ຈຳເປັນສຳລັບປະເພດເງິນອຸດໜູນນີ້."),
    "claim_bad_bank": ("Unknown bank; it must be one of: {banks}.",
                       "ທະນາຄານບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນໜຶ່ງໃນ: {banks}."),
    "claim_bank_account_required": (
        "Give the account number for a payment through a bank (or choose cash).",
        "ກະລຸນາໃສ່ເລກບັນຊີທະນາຄານ ສຳລັບການຈ່າຍຜ່ານທະນາຄານ (ຫຼື ເລືອກເງິນສົດ)."),
    "claim_bad_bank_account": (
        "The account number must be 6 to 34 digits, capital letters or hyphens.",
        "ເລກບັນຊີຕ້ອງແມ່ນຕົວເລກ, ຕົວອັກສອນໃຫຍ່ ຫຼື ຂີດ 6 ຫາ 34 ຕົວ."),
    # --- documents ---------------------------------------------------------------------------
    "claim_bad_document_kind": ("Unknown kind of document; it must be one of: {kinds}.",
                                "ປະເພດເອກະສານບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນໜຶ່ງໃນ: {kinds}."),
    "claim_document_type": (
        "{name}: only PDF, JPEG or PNG files are accepted (the file's content is not one of "
        "these, or does not match its name).",
        "{name}: ຮັບສະເພາະໄຟລ໌ PDF, JPEG ຫຼື PNG (ເນື້ອໃນຂອງໄຟລ໌ບໍ່ແມ່ນປະເພດເຫຼົ່ານີ້ "
        "ຫຼື ບໍ່ກົງກັບຊື່ໄຟລ໌)."),
    "claim_document_empty": ("{name}: the file is empty.", "{name}: ໄຟລ໌ຫວ່າງເປົ່າ."),
    "claim_document_too_large": (
        "{name}: the file is {size} MB; at most {limit} MB is accepted.",
        "{name}: ໄຟລ໌ມີຂະໜາດ {size} MB; ຮັບໄດ້ບໍ່ເກີນ {limit} MB."),
    "claim_document_twice": (
        "{name}: this very file is already attached to the claim.",
        "{name}: ໄຟລ໌ນີ້ໄດ້ຕິດຄັດມາກັບການຂໍຮັບເງິນອຸດໜູນນີ້ແລ້ວ."),
    "claim_documents_closed": (
        "Documents can be added only while the claim is filed or under appeal; it is {status}.",
        "ສາມາດເພີ່ມເອກະສານໄດ້ສະເພາະເມື່ອການຂໍຮັບເງິນອຸດໜູນຍັງລໍຖ້າການຕັດສິນ ຫຼື ກຳລັງອຸທອນ; "
        "ສະຖານະປັດຈຸບັນ: {status_lo}."),
    # --- checks (fail, then pass) --------------------------------------------------------------
    "claim_event_not_future": ("The date of the event is in the future (today is {today}).",
                               "ວັນທີເກີດເຫດຢູ່ໃນອະນາຄົດ (ມື້ນີ້ແມ່ນ {today})."),
    "claim_event_not_future_ok": ("The date of the event is not in the future.",
                                  "ວັນທີເກີດເຫດບໍ່ຢູ່ໃນອະນາຄົດ."),
    "claim_event_after_birth": (
        "The date of the event is before the insured person's birth ({birth}).",
        "ວັນທີເກີດເຫດກ່ອນວັນເດືອນປີເກີດຂອງຜູ້ປະກັນຕົນ ({birth})."),
    "claim_event_after_birth_ok": ("The date of the event is after the insured person's birth.",
                                   "ວັນທີເກີດເຫດຫຼັງວັນເດືອນປີເກີດຂອງຜູ້ປະກັນຕົນ."),
    "claim_insured": (
        "{number} was not an insured person on the date of the event (membership from "
        "{since}).",
        "{number} ບໍ່ໄດ້ເປັນຜູ້ປະກັນຕົນໃນວັນທີເກີດເຫດ (ເປັນສະມາຊິກແຕ່ {since})."),
    "claim_insured_ok": ("{number} has been an insured person since {since}.",
                         "{number} ເປັນຜູ້ປະກັນຕົນແຕ່ວັນທີ {since}."),
    "claim_death_recorded": (
        "The insured person's death on the date of the event is not in the registry "
        "(recorded death: {death}); record the death in the registry first.",
        "ການເສຍຊີວິດຂອງຜູ້ປະກັນຕົນໃນວັນທີເກີດເຫດ ບໍ່ມີໃນທະບຽນ (ວັນທີເສຍຊີວິດທີ່ບັນທຶກ: "
        "{death}); ກະລຸນາບັນທຶກການເສຍຊີວິດໃນທະບຽນກ່ອນ."),
    "claim_death_recorded_ok": ("The insured person's death on {death} is in the registry.",
                                "ການເສຍຊີວິດຂອງຜູ້ປະກັນຕົນໃນວັນທີ {death} ມີໃນທະບຽນ."),
    "claim_claimant_not_member": (
        "The claimant must be a survivor, not the insured person who died.",
        "ຜູ້ຂໍຮັບເງິນອຸດໜູນຕ້ອງແມ່ນສະມາຊິກຄອບຄົວທີ່ຍັງມີຊີວິດ ບໍ່ແມ່ນຜູ້ປະກັນຕົນທີ່ເສຍຊີວິດ."),
    "claim_claimant_not_member_ok": ("The claimant is a survivor of the insured person.",
                                     "ຜູ້ຂໍຮັບເງິນອຸດໜູນແມ່ນສະມາຊິກຄອບຄົວຂອງຜູ້ປະກັນຕົນ."),
    "claim_member_alive": (
        "The insured person died on {death}, before the date of the event.",
        "ຜູ້ປະກັນຕົນໄດ້ເສຍຊີວິດໃນວັນທີ {death}, ກ່ອນວັນທີເກີດເຫດ."),
    "claim_member_alive_ok": ("The insured person was alive on the date of the event.",
                              "ຜູ້ປະກັນຕົນຍັງມີຊີວິດໃນວັນທີເກີດເຫດ."),
    "claim_claimant_is_member": (
        "For this branch the insured person claims for themself; the claimant must be the "
        "insured person.",
        "ສຳລັບປະເພດນີ້ ຜູ້ປະກັນຕົນຂໍຮັບເອງ; ຜູ້ຂໍຮັບເງິນອຸດໜູນຕ້ອງແມ່ນຜູ້ປະກັນຕົນ."),
    "claim_claimant_is_member_ok": ("The insured person claims for themself.",
                                    "ຜູ້ປະກັນຕົນຂໍຮັບເງິນອຸດໜູນເອງ."),
    "claim_claimant_alive": (
        "The claimant's death is recorded in the registry, or the record was merged into "
        "another.",
        "ການເສຍຊີວິດຂອງຜູ້ຂໍຮັບເງິນອຸດໜູນໄດ້ບັນທຶກໃນທະບຽນແລ້ວ ຫຼື ຂໍ້ມູນນີ້ຖືກລວມເຂົ້າກັບຂໍ້ມູນອື່ນ."),
    "claim_claimant_alive_ok": ("The claimant is alive according to the registry.",
                                "ຕາມທະບຽນ ຜູ້ຂໍຮັບເງິນອຸດໜູນຍັງມີຊີວິດຢູ່."),
    "claim_maternity_sex": (
        "A maternity benefit is for a woman: an insured man's record serves only his wife's "
        "claim (claimant_is_spouse, with the wife as claimant, registered as his spouse).",
        "ເງິນອຸດໜູນອອກລູກແມ່ນສຳລັບແມ່ຍິງ: ປະຫວັດຂອງຜູ້ປະກັນຕົນເພດຊາຍ ໃຊ້ໄດ້ສະເພາະສຳລັບເມຍ "
        "ຂອງລາວ (claimant_is_spouse, ເມຍເປັນຜູ້ຂໍຮັບ ແລະ ຂຶ້ນທະບຽນເປັນຄູ່ສົມລົດ)."),
    "claim_maternity_sex_ok": ("The claimant is a woman entitled to claim on this record.",
                               "ຜູ້ຂໍຮັບແມ່ນແມ່ຍິງທີ່ມີສິດຂໍຮັບຕາມປະຫວັດນີ້."),
    "claim_dependant": (
        "The claimant is not a family member of the deceased as claimed ({relationship}): "
        "neither a registered family member nor in the same household with that relationship "
        "(found: {found}).",
        "ຜູ້ຂໍຮັບບໍ່ແມ່ນສະມາຊິກຄອບຄົວຂອງຜູ້ເສຍຊີວິດຕາມທີ່ແຈ້ງ ({relationship}): ບໍ່ໄດ້ຂຶ້ນທະບຽນ "
        "ເປັນສະມາຊິກຄອບຄົວ ແລະ ບໍ່ຢູ່ຄົວເຮືອນດຽວກັນດ້ວຍຄວາມສຳພັນນັ້ນ (ພົບ: {found})."),
    "claim_dependant_ok": ("The claimant is the deceased's {relationship}.",
                           "ຜູ້ຂໍຮັບແມ່ນ {relationship} ຂອງຜູ້ເສຍຊີວິດ."),
    "claim_dependant_registered": (
        "The relationship comes from the household register only, not from a registered "
        "family member of the insured person: check the family book.",
        "ຄວາມສຳພັນນີ້ມາຈາກທະບຽນຄົວເຮືອນເທົ່ານັ້ນ ບໍ່ແມ່ນຈາກສະມາຊິກຄອບຄົວທີ່ຂຶ້ນທະບຽນກັບກອງທຶນ: "
        "ກະລຸນາກວດປື້ມສໍາມະໂນຄົວ."),
    "claim_dependant_registered_ok": (
        "The claimant is registered as a family member of the insured person.",
        "ຜູ້ຂໍຮັບໄດ້ຂຶ້ນທະບຽນເປັນສະມາຊິກຄອບຄົວຂອງຜູ້ປະກັນຕົນ."),
    "claim_family": (
        "The claimant is neither a registered family member nor in the deceased's household: "
        "check who paid for the funeral.",
        "ຜູ້ຂໍຮັບບໍ່ແມ່ນສະມາຊິກຄອບຄົວທີ່ຂຶ້ນທະບຽນ ແລະ ບໍ່ຢູ່ຄົວເຮືອນຂອງຜູ້ເສຍຊີວິດ: "
        "ກະລຸນາກວດວ່າໃຜເປັນຜູ້ຈ່າຍຄ່າຊາປະນະກິດສົບ."),
    "claim_family_ok": ("The claimant is a family member of the deceased.",
                        "ຜູ້ຂໍຮັບແມ່ນສະມາຊິກຄອບຄົວຂອງຜູ້ເສຍຊີວິດ."),
    "claim_no_other_claim": (
        "A claim for the same event is already open or approved ({number}).",
        "ມີການຂໍຮັບເງິນອຸດໜູນສຳລັບເຫດການດຽວກັນທີ່ຍັງເປີດຢູ່ ຫຼື ອະນຸມັດແລ້ວ ({number})."),
    "claim_no_other_claim_ok": ("No other claim for the same event.",
                                "ບໍ່ມີການຂໍຮັບເງິນອຸດໜູນອື່ນສຳລັບເຫດການດຽວກັນ."),
    "claim_membership_on_event": (
        "No membership of the fund covers the date of the event.",
        "ບໍ່ມີການເປັນສະມາຊິກກອງທຶນໃນວັນທີເກີດເຫດ."),
    "claim_membership_on_event_ok": ("A membership of the fund covers the date of the event.",
                                     "ມີການເປັນສະມາຊິກກອງທຶນໃນວັນທີເກີດເຫດ."),
    "claim_no_award_in_payment": (
        "An award of this branch is already in payment or suspended (award {number}).",
        "ມີເງິນອຸດໜູນປະເພດນີ້ທີ່ກຳລັງເບີກຈ່າຍ ຫຼື ໂຈະຢູ່ແລ້ວ (ລາຍການ {number})."),
    "claim_no_award_in_payment_ok": ("No award of this branch is in payment.",
                                     "ບໍ່ມີເງິນອຸດໜູນປະເພດນີ້ທີ່ກຳລັງເບີກຈ່າຍ."),
    "claim_documents": ("Supporting documents missing: {missing_en}.",
                        "ຂາດເອກະສານປະກອບ: {missing_lo}."),
    "claim_documents_ok": ("The supporting documents are attached.",
                           "ມີເອກະສານປະກອບຄົບແລ້ວ."),
    "claim_age": ("Too young on the date of the event (age {age}): {reason_en}",
                  "ອາຍຸຍັງບໍ່ຮອດໃນວັນທີເກີດເຫດ (ອາຍຸ {age} ປີ): {reason_lo}"),
    "claim_age_ok": ("Age {age} on the date of the event.", "ອາຍຸ {age} ປີ ໃນວັນທີເກີດເຫດ."),
    "claim_assessment_ok": ("The qualifying conditions are met: {kind_en}.",
                            "ຄົບເງື່ອນໄຂການເກີດສິດ: {kind_lo}."),
    # --- decisions ---------------------------------------------------------------------------
    "claim_not_open": (
        "The claim is {status}: only a filed claim can be decided or withdrawn.",
        "ການຂໍຮັບເງິນອຸດໜູນມີສະຖານະ {status_lo}: ຕັດສິນ ຫຼື ຖອນໄດ້ສະເພາະທີ່ຍັງລໍຖ້າການຕັດສິນ."),
    "claim_maker_cannot_decide": (
        "You filed this claim: another officer must decide it (the one who files a claim "
        "never decides it).",
        "ທ່ານເປັນຜູ້ຍື່ນການຂໍຮັບເງິນອຸດໜູນນີ້: ເຈົ້າໜ້າທີ່ຄົນອື່ນຕ້ອງເປັນຜູ້ຕັດສິນ "
        "(ຜູ້ຍື່ນບໍ່ສາມາດຕັດສິນເອງ)."),
    "claim_does_not_qualify": (
        "The rules do not grant this benefit on today's record: {reason_en} Reject the claim "
        "with a reason instead.",
        "ຕາມລະບຽບການ ແລະ ປະຫວັດປັດຈຸບັນ ບໍ່ມີສິດໄດ້ຮັບເງິນອຸດໜູນນີ້: {reason_lo} "
        "ກະລຸນາປະຕິເສດພ້ອມເຫດຜົນແທນ."),
    "claim_note_needed": (
        "Checks failed ({checks}): say in the note why the claim is approved all the same.",
        "ມີການກວດທີ່ບໍ່ຜ່ານ ({checks}): ກະລຸນາຂຽນໝາຍເຫດວ່າເປັນຫຍັງຈຶ່ງອະນຸມັດ."),
    "claim_bad_rejection_reason": (
        "Choose a rejection reason from the list: {reasons}.",
        "ກະລຸນາເລືອກເຫດຜົນການປະຕິເສດຈາກລາຍການ: {reasons}."),
    "claim_other_reason_needs_note": (
        "With the reason \"other\", explain the rejection in the note.",
        "ເມື່ອເລືອກເຫດຜົນ \"ອື່ນໆ\" ກະລຸນາອະທິບາຍການປະຕິເສດໃນໝາຍເຫດ."),
    "claim_bad_outcome": ("The decision must be approve or reject.",
                          "ການຕັດສິນຕ້ອງແມ່ນ approve ຫຼື reject."),
    # --- appeals and withdrawal --------------------------------------------------------------
    "claim_not_decided": (
        "Only a decided claim (approved or rejected) can be appealed; it is {status}.",
        "ອຸທອນໄດ້ສະເພາະການຂໍຮັບເງິນອຸດໜູນທີ່ຕັດສິນແລ້ວ (ອະນຸມັດ ຫຼື ປະຕິເສດ); ສະຖານະ: "
        "{status_lo}."),
    "claim_appeal_too_late": (
        "The time to appeal ended on {deadline} ({days} days after the decision of "
        "{decided}).",
        "ກຳນົດເວລາອຸທອນໄດ້ສິ້ນສຸດໃນວັນທີ {deadline} ({days} ມື້ ຫຼັງການຕັດສິນວັນທີ {decided})."),
    "claim_already_appealed": (
        "This claim was already decided again on appeal; it cannot be appealed a second time.",
        "ການຂໍຮັບເງິນອຸດໜູນນີ້ໄດ້ຕັດສິນໃໝ່ຕາມການອຸທອນແລ້ວ; ບໍ່ສາມາດອຸທອນເທື່ອທີສອງ."),
    "claim_grounds_required": ("Give the grounds of the appeal.",
                               "ກະລຸນາໃຫ້ເຫດຜົນຂອງການອຸທອນ."),
    "claim_not_appealed": (
        "Only a claim under appeal can be decided again; it is {status}.",
        "ຕັດສິນໃໝ່ໄດ້ສະເພາະການຂໍຮັບເງິນອຸດໜູນທີ່ກຳລັງອຸທອນ; ສະຖານະ: {status_lo}."),
    "claim_redecider_must_differ": (
        "An appeal is decided by an officer who neither filed the claim nor made the first "
        "decision.",
        "ການອຸທອນຕ້ອງຕັດສິນໂດຍເຈົ້າໜ້າທີ່ທີ່ບໍ່ໄດ້ຍື່ນ ແລະ ບໍ່ໄດ້ຕັດສິນຄັ້ງທຳອິດ."),
    "claim_appeal_clash": (
        "Another claim for the same event is open ({number}); the appeal cannot reopen this "
        "one.",
        "ມີການຂໍຮັບເງິນອຸດໜູນອື່ນສຳລັບເຫດການດຽວກັນທີ່ຍັງເປີດຢູ່ ({number}); ການອຸທອນບໍ່ສາມາດ "
        "ເປີດອັນນີ້ຄືນໄດ້."),
    "claim_reason_required": ("Give a reason.", "ກະລຸນາໃຫ້ເຫດຜົນ."),
    # --- awards ------------------------------------------------------------------------------
    "award_bad_status_change": (
        "An award that is {status} cannot be {action}.",
        "ເງິນອຸດໜູນທີ່ມີສະຖານະ {status_lo} ບໍ່ສາມາດ{action_lo}."),
    "award_date_before_start": (
        "The date is before the award's start ({start}).",
        "ວັນທີນີ້ກ່ອນວັນເລີ່ມເງິນອຸດໜູນ ({start})."),
    "award_date_before_status": (
        "The date is before the award's last change of status ({since}).",
        "ວັນທີນີ້ກ່ອນການປ່ຽນສະຖານະຄັ້ງສຸດທ້າຍ ({since})."),
    "award_future_date": ("The date is in the future.", "ວັນທີຢູ່ໃນອະນາຄົດ."),
    # --- the rejection reasons, both languages (for notices) --------------------------------
    "claim_reason_not_insured": ("Not insured on the date of the event",
                                 "ບໍ່ໄດ້ເປັນຜູ້ປະກັນຕົນໃນວັນທີເກີດເຫດ"),
    "claim_reason_not_enough_contributions": ("Not enough months of contributions",
                                              "ເດືອນເງິນສົມທົບບໍ່ພຽງພໍ"),
    "claim_reason_below_age": ("Below the age the branch requires",
                               "ອາຍຸຕ່ຳກວ່າທີ່ກຳນົດ"),
    "claim_reason_person_dead": ("The person had died before the event",
                                 "ບຸກຄົນນີ້ໄດ້ເສຍຊີວິດກ່ອນເກີດເຫດ"),
    "claim_reason_not_a_dependant": ("Not a dependant the law covers",
                                     "ບໍ່ແມ່ນສະມາຊິກຄອບຄົວທີ່ກົດໝາຍຄຸ້ມຄອງ"),
    "claim_reason_event_not_covered": ("The event is not one the branch covers",
                                       "ເຫດການນີ້ບໍ່ຢູ່ໃນຂອບເຂດຂອງປະເພດເງິນອຸດໜູນນີ້"),
    "claim_reason_documents_missing": ("Required documents are missing",
                                       "ຂາດເອກະສານປະກອບທີ່ຈຳເປັນ"),
    "claim_reason_duplicate": ("A claim for the same event was already made",
                               "ໄດ້ຂໍຮັບເງິນອຸດໜູນສຳລັບເຫດການດຽວກັນແລ້ວ"),
    "claim_reason_filed_too_late": ("Filed after the time limit", "ຍື່ນຫຼັງກຳນົດເວລາ"),
    "claim_reason_other": ("Other reason", "ເຫດຜົນອື່ນ"),
    # --- notices to the claimant -------------------------------------------------------------
    "claim_notice_filed": (
        "Your claim {number} for the {branch_en} was received on {date}. An officer will "
        "decide it; you will be told the decision here.",
        "ການຂໍຮັບ{branch_lo}ຂອງທ່ານ ເລກທີ {number} ໄດ້ຮັບແລ້ວໃນວັນທີ {date}. ເຈົ້າໜ້າທີ່ຈະ"
        "ພິຈາລະນາຕັດສິນ ແລະ ແຈ້ງຜົນໃຫ້ທ່ານຊາບຢູ່ບ່ອນນີ້."),
    "claim_notice_opened_by_death": (
        "After the death of {name} on {date}, claim {number} for the {branch_en} has been "
        "opened for you. Bring the supporting documents to the NSSF office.",
        "ຫຼັງຈາກການເສຍຊີວິດຂອງ {name} ໃນວັນທີ {date}, ການຂໍຮັບ{branch_lo} ເລກທີ {number} "
        "ໄດ້ເປີດໃຫ້ທ່ານແລ້ວ. ກະລຸນານຳເອກະສານປະກອບມາຫ້ອງການປະກັນສັງຄົມ."),
    "claim_notice_approved_periodic": (
        "Your claim {number} is approved: {amount} kip a month from {start}.",
        "ການຂໍຮັບເງິນອຸດໜູນ ເລກທີ {number} ຂອງທ່ານໄດ້ຮັບອະນຸມັດແລ້ວ: {amount} ກີບ ຕໍ່ເດືອນ "
        "ແຕ່ວັນທີ {start}."),
    "claim_notice_approved_lump_sum": (
        "Your claim {number} is approved: a lump sum of {amount} kip, paid with the next "
        "payroll.",
        "ການຂໍຮັບເງິນອຸດໜູນ ເລກທີ {number} ຂອງທ່ານໄດ້ຮັບອະນຸມັດແລ້ວ: ເງິນບຳເນັດ {amount} ກີບ "
        "ຈະເບີກຈ່າຍພ້ອມບັນຊີເງິນເດືອນຄັ້ງຕໍ່ໄປ."),
    "claim_notice_rejected": (
        "Your claim {number} is rejected: {reason_en}. You may appeal until {deadline}.",
        "ການຂໍຮັບເງິນອຸດໜູນ ເລກທີ {number} ຂອງທ່ານຖືກປະຕິເສດ: {reason_lo}. ທ່ານສາມາດອຸທອນໄດ້"
        "ຮອດວັນທີ {deadline}."),
    "claim_notice_appealed": (
        "Your appeal against the decision on claim {number} was received on {date}.",
        "ການອຸທອນຂອງທ່ານຕໍ່ການຕັດສິນການຂໍຮັບເງິນອຸດໜູນ ເລກທີ {number} ໄດ້ຮັບແລ້ວໃນວັນທີ {date}."),
    "claim_notice_withdrawn": (
        "Your claim {number} was withdrawn on {date}.",
        "ການຂໍຮັບເງິນອຸດໜູນ ເລກທີ {number} ຂອງທ່ານໄດ້ຖອນແລ້ວໃນວັນທີ {date}."),
    "award_notice_suspended": (
        "Payment of your benefit (award {number}) is suspended from {date}: {reason}.",
        "ການເບີກຈ່າຍເງິນອຸດໜູນຂອງທ່ານ (ລາຍການ {number}) ຖືກໂຈະແຕ່ວັນທີ {date}: {reason}."),
    "award_notice_resumed": (
        "Payment of your benefit (award {number}) resumes from {date}.",
        "ການເບີກຈ່າຍເງິນອຸດໜູນຂອງທ່ານ (ລາຍການ {number}) ສືບຕໍ່ຈ່າຍແຕ່ວັນທີ {date}."),
    "award_notice_ended": (
        "Your benefit (award {number}) ends on {date}: {reason}.",
        "ເງິນອຸດໜູນຂອງທ່ານ (ລາຍການ {number}) ສິ້ນສຸດໃນວັນທີ {date}: {reason}."),
    "award_notice_amount": (
        "Decided again on appeal: your benefit (award {number}) is {amount} kip a month from "
        "{date}.",
        "ຕັດສິນໃໝ່ຕາມການອຸທອນ: ເງິນອຸດໜູນຂອງທ່ານ (ລາຍການ {number}) ແມ່ນ {amount} ກີບ ຕໍ່ເດືອນ "
        "ແຕ່ວັນທີ {date}."),
}

# Statuses in Lao for messages and notices (own wording, see above).
CLAIM_STATUS_LO = {"filed": "ລໍຖ້າການຕັດສິນ", "approved": "ອະນຸມັດແລ້ວ", "rejected": "ປະຕິເສດແລ້ວ",
                   "appealed": "ກຳລັງອຸທອນ", "withdrawn": "ຖອນແລ້ວ"}
AWARD_STATUS_LO = {"in_payment": "ກຳລັງເບີກຈ່າຍ", "suspended": "ໂຈະ", "ended": "ສິ້ນສຸດ"}
AWARD_ACTION_LO = {"suspended": "ໂຈະ", "resumed": "ສືບຕໍ່ຈ່າຍ", "ended": "ສິ້ນສຸດ"}
# Kinds of supporting documents in Lao (glossary: ການຢັ້ງຢືນທາງດ້ານການແພດ, ໜັງສືຢັ້ງຢືນການເສຍຊີວິດ,
# ປື້ມສໍາມະໂນຄົວ, ບັດປະຈໍາຕົວ, ບັນຊີທະນາຄານ, ບົດລາຍງານ; the rest own wording).
DOCUMENT_KIND_LO = {
    "medical_certificate": "ການຢັ້ງຢືນທາງດ້ານການແພດ", "death_certificate": "ໜັງສືຢັ້ງຢືນການເສຍຊີວິດ",
    "birth_certificate": "ໃບແຈ້ງເກີດ", "separation_letter": "ໜັງສືຢັ້ງຢືນການອອກຈາກວຽກ",
    "accident_report": "ບົດລາຍງານອຸປະຕິເຫດແຮງງານ", "family_book": "ປື້ມສໍາມະໂນຄົວ",
    "identity": "ບັດປະຈໍາຕົວ", "bank_account": "ບັນຊີທະນາຄານ", "other": "ເອກະສານອື່ນ",
}
# What an award pays, for the checks' text.
AWARD_KIND_TEXT = {"periodic": ("a monthly benefit", "ເງິນອຸດໜູນລາຍເດືອນ"),
                   "lump_sum": ("a lump sum", "ເງິນບຳເນັດ"), "": ("", "")}
