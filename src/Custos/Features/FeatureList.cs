namespace Custos.Features;

/// <summary>Every feature, in the order their services, workers, endpoints and commands are added. A new feature adds one line here.</summary>
public static class FeatureList
{
    public static IReadOnlyList<Feature> All { get; } =
    [
        new Accounts.AccountsFeature(),
        new People.PeopleFeature(),
        new Agreements.AgreementsFeature(),
        new Training.TrainingFeature(),
        new Partners.PartnersFeature(),
        new Leaving.LeavingFeature(),
        new Committee.CommitteeFeature(),
        new Incidents.IncidentsFeature(),
        new Oversight.OversightFeature(),
        new Accountability.AccountabilityFeature(),
        new Premises.PremisesFeature(),
        new Inventory.InventoryFeature(),
        new SubjectRequests.SubjectRequestsFeature(),
        new Whistleblowing.WhistleFeature(),
        new Provisioning.ProvisioningFeature(),
        new Organisation.OrganisationFeature(),
        new ApiTokens.ApiTokensFeature(),
        new Keys.KeysFeature(),
        new Backup.BackupFeature(),
        new Audit.AuditFeature(),
        new Imports.ImportsFeature(),
        new Customers.CustomersFeature(),
        new Policy.PolicyFeature(),
        new Access.AccessFeature(),
        new Notifications.NotificationsFeature(),
        new Copies.CopiesFeature(),
        new Destruction.DestructionFeature(),
        new Retention.RetentionFeature(),
        new Classification.ClassificationFeature(),
        new Demo.DemoFeature(),
    ];
}
