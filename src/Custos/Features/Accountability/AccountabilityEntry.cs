using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Accountability;

public enum EntryKind
{
    Reward = 0,
    Penalty = 1,
}

/// <summary>What is given or imposed (INC-5): the seed's rewards (100–1,000 yuan, praise) and penalties (warning to referral).</summary>
public enum EntryType
{
    /// <summary>奖金: a cash reward, with an amount.</summary>
    Cash = 0,

    /// <summary>表扬.</summary>
    Commendation = 1,

    /// <summary>警告.</summary>
    Warning = 10,

    /// <summary>记过.</summary>
    Demerit = 11,

    /// <summary>罚款 / 扣发效益工资: with an amount.</summary>
    Fine = 12,

    /// <summary>停职.</summary>
    Suspension = 13,

    /// <summary>降职.</summary>
    Demotion = 14,

    /// <summary>辞退、解除劳动合同.</summary>
    Dismissal = 15,

    /// <summary>移交司法机关.</summary>
    Referral = 16,
}

/// <summary>Why, in the seed's words: the grounds for a reward or a penalty.</summary>
public enum EntryGround
{
    /// <summary>及时检举泄露或非法获取客户信息的行为.</summary>
    ReportedLeak = 0,

    /// <summary>发现泄露立即采取补救措施，避免或减轻了损失.</summary>
    LimitedLeak = 1,

    /// <summary>因疏忽大意泄露客户信息.</summary>
    Negligence = 10,

    /// <summary>遗失书面客户信息清单.</summary>
    LostList = 11,

    /// <summary>出卖公司利益，利用客户信息谋利.</summary>
    Misuse = 12,

    /// <summary>违反保密制度的其他规定.</summary>
    BreachOfRules = 13,

    /// <summary>部门领导按罚款额的一定比例连带扣罚.</summary>
    SupervisorLiability = 14,

    Other = 99,
}

public enum EntryStatus
{
    Proposed = 0,
    Approved = 1,
    Rejected = 2,

    /// <summary>A cash reward handed over (an anonymous reporter's against the receipt and claim codes).</summary>
    Paid = 3,
}

/// <summary>
/// The register of rewards and penalties (INC-5): each proposed with its grounds, approved or rejected by the general
/// manager (never by its proposer or the person concerned), recorded; a reward to an anonymous reporter is told in
/// the report's thread with a claim code and paid against the receipt code and that claim code.
/// </summary>
public sealed class AccountabilityEntry
{
    public Guid Id { get; set; }

    /// <summary>JC-yyyyMMdd-xxxx.</summary>
    public string Number { get; set; } = "";

    public EntryKind Kind { get; set; }

    public EntryType Type { get; set; }

    public EntryGround Ground { get; set; }

    /// <summary>The person concerned; none for an anonymous reporter's reward.</summary>
    public Guid? PersonId { get; set; }

    public string? PersonName { get; set; }

    /// <summary>The anonymous report whose reporter is rewarded.</summary>
    public Guid? WhistleReportId { get; set; }

    /// <summary>The person that report names: never sees, decides or pays the reward.</summary>
    public Guid? ExcludedPersonId { get; set; }

    public string? IncidentNumber { get; set; }

    /// <summary>Yuan, for a cash reward or a fine.</summary>
    public int? Amount { get; set; }

    public string Reason { get; set; } = "";

    public EntryStatus Status { get; set; }

    public Guid ProposedById { get; set; }

    public string ProposedBy { get; set; } = "";

    public DateTimeOffset ProposedAt { get; set; }

    public Guid? DecidedById { get; set; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? DecisionNote { get; set; }

    /// <summary>The fine this one follows from (a department leader's share of a fine).</summary>
    public Guid? LinkedToId { get; set; }

    /// <summary>SHA-256 of an anonymous reward's claim code (the code itself is only in the reporter's sealed thread).</summary>
    public byte[]? ClaimHash { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public string? PaidBy { get; set; }

    public Guid Stamp { get; set; }
}

internal sealed class AccountabilityEntryMapping : IEntityTypeConfiguration<AccountabilityEntry>
{
    public void Configure(EntityTypeBuilder<AccountabilityEntry> e)
    {
        e.ToTable("AccountabilityEntries");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.Number).IsUnique();
        e.HasIndex(x => new { x.Status, x.DecidedAt });
        e.HasIndex(x => x.PersonId);
        e.HasIndex(x => x.WhistleReportId);
        e.HasIndex(x => x.ClaimHash).IsUnique().HasFilter("\"ClaimHash\" IS NOT NULL");
        e.Property(x => x.Number).HasMaxLength(32);
        e.Property(x => x.PersonName).HasMaxLength(256);
        e.Property(x => x.IncidentNumber).HasMaxLength(32);
        e.Property(x => x.Reason).HasMaxLength(AccountabilityService.MaxText);
        e.Property(x => x.ProposedBy).HasMaxLength(256);
        e.Property(x => x.DecidedBy).HasMaxLength(256);
        e.Property(x => x.DecisionNote).HasMaxLength(AccountabilityService.MaxText);
        e.Property(x => x.PaidBy).HasMaxLength(256);
        e.Property(x => x.ClaimHash).HasMaxLength(32);
        e.Property(x => x.Stamp).IsConcurrencyToken();
    }
}

/// <summary><c>Custos:Accountability</c>: the amounts the seed sets (rewards 100–1,000 yuan, fines 300–2,000) and a leader's share of a fine (80%).</summary>
public sealed class AccountabilitySettings
{
    public int RewardMin { get; set; } = 100;

    public int RewardMax { get; set; } = 1000;

    public int FineMin { get; set; } = 300;

    public int FineMax { get; set; } = 2000;

    /// <summary>Percent of an approved fine proposed against the person's department heads (the seed: 按罚款额的80%扣罚部门领导); 0 turns it off.</summary>
    public int LeaderSharePercent { get; set; } = 80;

    public void Validate()
    {
        if (RewardMin < 1 || RewardMax < RewardMin || FineMin < 1 || FineMax < FineMin || LeaderSharePercent is < 0 or > 100)
        {
            throw new InvalidOperationException("Custos:Accountability: 1 ≤ RewardMin ≤ RewardMax, 1 ≤ FineMin ≤ FineMax, LeaderSharePercent 0–100.");
        }
    }
}
