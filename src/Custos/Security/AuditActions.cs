namespace Custos.Security;

/// <summary>
/// Every action name the audit log records, in one place: what a feature records, alert rules watch and the
/// audit search offers are the same words, so renaming one cannot silently blind an alert or a search. The
/// names are part of the log's meaning and of exported evidence: they never change once recorded.
/// </summary>
public static class AuditActions
{
    public const string AccessDenied = "access.denied";

    public const string AgreementExport = "agreement.export";
    public const string AgreementPaper = "agreement.paper";
    public const string AgreementPublish = "agreement.publish";
    public const string AgreementRegister = "agreement.register";
    public const string AgreementScanOpen = "agreement.scan.open";
    public const string AgreementSign = "agreement.sign";

    public const string AlertHandle = "alert.handle";

    public const string ApiCall = "api.call";

    public const string ArchiveLend = "archive.lend";
    public const string ArchiveReturn = "archive.return";

    public const string AuditArchive = "audit.archive";
    public const string AuditCheckpointsExport = "audit.checkpoints.export";
    public const string AuditConsistency = "audit.consistency";
    public const string AuditCustomerViewers = "audit.customer.viewers";
    public const string AuditExport = "audit.export";
    public const string AuditFollowupClose = "audit.followup.close";
    public const string AuditHash = "audit.hash";
    public const string AuditPersonSeen = "audit.person.seen";
    public const string AuditPlanCreate = "audit.plan.create";
    public const string AuditPlanPerform = "audit.plan.perform";
    public const string AuditProof = "audit.proof";
    public const string AuditSearch = "audit.search";
    public const string AuditVerify = "audit.verify";

    public const string CopyClose = "copy.close";
    public const string CopyDestroy = "copy.destroy";
    public const string CopyList = "copy.list";
    public const string CopyOverdue = "copy.overdue";
    public const string CopyReturn = "copy.return";
    public const string CopyTrace = "copy.trace";

    public const string CustomerAttachmentAdd = "customer.attachment.add";
    public const string CustomerAttachmentList = "customer.attachment.list";
    public const string CustomerAttachmentOpen = "customer.attachment.open";
    public const string CustomerCreate = "customer.create";
    public const string CustomerDemoCreate = "customer.demo.create";
    public const string CustomerDestroy = "customer.destroy";
    public const string CustomerExport = "customer.export";
    public const string CustomerHistory = "customer.history";
    public const string CustomerImport = "customer.import";
    public const string ImportReceivedVerify = "import.received.verify";
    public const string ImportReceivedDestroy = "import.received.destroy";
    public const string ImportReceivedRemind = "import.received.remind";
    public const string ImportReceivedList = "import.received.list";
    public const string CustomerList = "customer.list";
    public const string CustomerPrint = "customer.print";
    public const string CustomerReveal = "customer.reveal";
    public const string CustomerReview = "customer.review";
    public const string CustomerReviewRemind = "customer.review.remind";
    public const string CustomerStale = "customer.stale";
    public const string CustomerShare = "customer.share";
    public const string CustomerTags = "customer.tags";
    public const string CustomerUpdate = "customer.update";
    public const string CustomerView = "customer.view";

    public const string DecoyList = "decoy.list";
    public const string DecoyPlant = "decoy.plant";
    public const string DecoyRetire = "decoy.retire";

    public const string DelegationCreate = "delegation.create";
    public const string DelegationRevoke = "delegation.revoke";

    public const string DepartmentCreate = "department.create";

    public const string DestructionList = "destruction.list";

    public const string GrantCreate = "grant.create";
    public const string GrantList = "grant.list";
    public const string GrantRevoke = "grant.revoke";

    public const string IncidentAssess = "incident.assess";
    public const string IncidentAuthorityReport = "incident.authority-report";
    public const string IncidentClose = "incident.close";
    public const string IncidentContain = "incident.contain";
    public const string IncidentEscalate = "incident.escalate";
    public const string IncidentEvidence = "incident.evidence";
    public const string IncidentExport = "incident.export";
    public const string IncidentNotice = "incident.notice";
    public const string IncidentPlaybook = "incident.playbook";
    public const string IncidentRemind = "incident.remind";
    public const string IncidentReport = "incident.report";
    public const string IncidentReverse = "incident.reverse";
    public const string IncidentScope = "incident.scope";
    public const string IncidentTriage = "incident.triage";
    public const string IncidentView = "incident.view";

    public const string AssessmentOpen = "assessment.open";
    public const string AssessmentView = "assessment.view";
    public const string AssessmentEvidence = "assessment.evidence";
    public const string AssessmentAnswer = "assessment.answer";
    public const string AssessmentFinding = "assessment.finding";
    public const string AssessmentSignOff = "assessment.sign-off";
    public const string AssessmentReview = "assessment.review";
    public const string AssessmentExport = "assessment.export";
    public const string AssessmentRemind = "assessment.remind";
    public const string AssessmentEscalate = "assessment.escalate";
    public const string AssessmentTemplate = "assessment.template";
    public const string InventoryView = "inventory.view";
    public const string InventoryEntryAdd = "inventory.entry.add";
    public const string InventoryEntryChange = "inventory.entry.change";
    public const string InventoryEntryRemove = "inventory.entry.remove";
    public const string InventoryNote = "inventory.note";
    public const string InventoryReview = "inventory.review";
    public const string InventoryExport = "inventory.export";
    public const string InspectionPlan = "inspection.plan";
    public const string InspectionView = "inspection.view";
    public const string InspectionCheck = "inspection.check";
    public const string InspectionFinding = "inspection.finding";
    public const string InspectionReport = "inspection.report";
    public const string InspectionBulletin = "inspection.bulletin";
    public const string InspectionReInspect = "inspection.re-inspect";
    public const string InspectionEscalate = "inspection.escalate";
    public const string InspectionExport = "inspection.export";
    public const string AccountabilityPropose = "accountability.propose";
    public const string AccountabilityDecide = "accountability.decide";
    public const string AccountabilityClaim = "accountability.claim";
    public const string AccountabilityView = "accountability.view";
    public const string AccountabilityExport = "accountability.export";
    public const string MeetingCreate = "meeting.create";
    public const string MeetingView = "meeting.view";
    public const string MeetingConfirm = "meeting.confirm";
    public const string MeetingMaterial = "meeting.material";
    public const string MeetingClose = "meeting.close";
    public const string MeetingExport = "meeting.export";
    public const string AreaAdd = "area.add";
    public const string VisitRequest = "visit.request";
    public const string VisitDecide = "visit.decide";
    public const string VisitCheckIn = "visit.check-in";
    public const string VisitCheckOut = "visit.check-out";
    public const string VisitCancel = "visit.cancel";
    public const string VisitReveal = "visit.reveal";
    public const string VisitView = "visit.view";
    public const string VisitExport = "visit.export";
    public const string VisitOverstay = "visit.overstay";
    public const string CorrectiveActionView = "corrective-action.view";
    public const string CorrectiveActionDone = "corrective-action.done";
    public const string CorrectiveActionVerify = "corrective-action.verify";
    public const string CorrectiveActionRemind = "corrective-action.remind";
    public const string CorrectiveActionEscalate = "corrective-action.escalate";

    public const string KeysRetire = "keys.retire";
    public const string KeysRotate = "keys.rotate";
    public const string KeysSplit = "keys.split";
    public const string BackupCreate = "backup.create";
    public const string RetentionLoad = "retention.load";
    public const string RetentionView = "retention.view";
    public const string RetentionSet = "retention.set";
    public const string RetentionHold = "retention.hold";
    public const string RetentionDue = "retention.due";
    public const string RetentionRun = "retention.run";
    public const string RetentionBatch = "retention.batch";
    public const string ConsentRecord = "consent.record";
    public const string BackupRestore = "backup.restore";

    public const string PartnerAdd = "partner.add";
    public const string PartnerBlock = "partner.block";
    public const string PartnerUnblock = "partner.unblock";
    public const string PartnerAgreement = "partner.agreement";
    public const string PartnerAgreementEnd = "partner.agreement.end";
    public const string PartnerLink = "partner.link";
    public const string PartnerList = "partner.list";
    public const string PartnerRemind = "partner.remind";
    public const string PartnerScanOpen = "partner.scan.open";
    public const string LeavingRecord = "leaving.record";
    public const string LeavingWithdraw = "leaving.withdraw";
    public const string LeavingSuccessor = "leaving.successor";
    public const string LeavingConfirm = "leaving.confirm";
    public const string LeavingAccessEnd = "leaving.access.end";
    public const string LeavingStatement = "leaving.statement";
    public const string LeavingEscalate = "leaving.escalate";
    public const string LeavingClose = "leaving.close";
    public const string CommitteeAppoint = "committee.appoint";
    public const string CommitteeEnd = "committee.end";
    public const string CommitteeRemind = "committee.remind";
    public const string CommitteeReports = "committee.reports";
    public const string ScimRefused = "scim.refused";
    public const string ScimUserCreate = "scim.user.create";
    public const string ScimUserUpdate = "scim.user.update";
    public const string ScimUserDeactivate = "scim.user.deactivate";
    public const string ScimClientCreate = "scim.client.create";
    public const string ScimClientRevoke = "scim.client.revoke";
    public const string PersonContactChange = "person.contact";
    public const string PersonSsoLink = "person.sso";

    public const string PersonAppoint = "person.appoint";
    public const string PersonChange = "person.change";
    public const string PersonClearanceChange = "person.clearance.change";
    public const string PersonCreate = "person.create";
    public const string PersonDeparture = "person.departure";
    public const string PersonDisable = "person.disable";
    public const string PersonEnable = "person.enable";
    public const string PersonMembershipsChange = "person.memberships.change";
    public const string PersonMfaEnrol = "person.mfa.enrol";
    public const string PersonMfaReset = "person.mfa.reset";
    public const string PersonPasswordChange = "person.password.change";
    public const string PersonPasswordReset = "person.password.reset";
    public const string PersonRolesChange = "person.roles.change";

    public const string PolicyExplain = "policy.explain";
    public const string PolicyLoad = "policy.load";
    public const string PolicyRead = "policy.read";
    public const string PolicyTest = "policy.test";

    public const string ProjectCreate = "project.create";

    public const string RequestApprove = "request.approve";
    public const string RequestExpire = "request.expire";
    public const string RequestReject = "request.reject";
    public const string RequestRemind = "request.remind";
    public const string RequestSubmit = "request.submit";
    public const string RequestWithdraw = "request.withdraw";

    public const string SessionSignin = "session.signin";
    public const string SessionSignout = "session.signout";
    public const string SessionSignoutAll = "session.signout-all";

    public const string TrainingExamStart = "training.exam.start";
    public const string TrainingExamSubmit = "training.exam.submit";
    public const string TrainingExport = "training.export";
    public const string TrainingQuestionsAdd = "training.questions.add";
    public const string TrainingMaterial = "training.material";
    public const string TrainingBankRead = "training.bank.read";
    public const string TrainingRemind = "training.remind";
    public const string TrainingResults = "training.results";

    public const string SubjectRequestCreate = "subject-request.create";
    public const string SubjectRequestList = "subject-request.list";
    public const string SubjectRequestView = "subject-request.view";
    public const string SubjectRequestAnswer = "subject-request.answer";
    public const string SubjectRequestRefuse = "subject-request.refuse";
    public const string SubjectRequestRemind = "subject-request.remind";
    public const string SubjectRequestEscalate = "subject-request.escalate";

    public const string TokenCreate = "token.create";

    public const string WhistleAttachment = "whistle.attachment";
    public const string WhistleClose = "whistle.close";
    public const string WhistleFollow = "whistle.follow";
    public const string WhistleIdentity = "whistle.identity";
    public const string WhistleIncident = "whistle.incident";
    public const string WhistleList = "whistle.list";
    public const string WhistleRead = "whistle.read";
    public const string WhistleReceive = "whistle.receive";
    public const string WhistleReply = "whistle.reply";
    public const string TokenRefused = "token.refused";
    public const string TokenRevoke = "token.revoke";
}
