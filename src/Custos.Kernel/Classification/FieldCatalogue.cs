using Custos.Kernel.Crypto;
using Custos.Kernel.Masking;
using Custos.Kernel.Recognisers;

namespace Custos.Kernel.Classification;

/// <summary>Sensitivity of a field (CLS-1): 1 一般 (general), 2 敏感 (sensitive), 3 核心 (core).</summary>
public enum Sensitivity
{
    General = 1,
    Sensitive = 2,
    Core = 3,
}

/// <summary>Groups of customer information (CLS-4).</summary>
public enum FieldGroup
{
    Identity,
    Contact,
    Financial,
    Transactions,
    Interactions,
    Preferences,
    Business,
}

/// <summary>Why a value was rejected; the edges localise it as <c>Invalid.{Reason}</c>.</summary>
public enum InvalidReason
{
    Format,
    CheckDigit,
    BirthDate,
    Region,
    TooLong,

    /// <summary>Control characters (NUL, BEL, ESC…) or invisible text-direction overrides, which hide what a value really says.</summary>
    ForbiddenCharacters,
}

/// <summary>One protected field: its level, mask, exact-search index and validation.</summary>
public sealed record FieldDefinition(
    string Name,
    FieldGroup Group,
    Sensitivity Level,
    MaskRule Mask,
    IndexedKind? Index = null,
    int MaxLength = 200)
{
    /// <summary>
    /// Control characters other than line breaks and tabs, and invisible format characters: those that reorder text
    /// (bidirectional embeddings, overrides and isolates, U+202A–U+202E, U+2066–U+2069, and their marks), zero-width
    /// spaces and joiners, soft hyphens, the byte-order mark.
    /// </summary>
    public static bool HasForbiddenCharacters(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            // Invisible format characters (Unicode category Cf: bidirectional overrides and isolates, zero-width spaces and
            // joiners, soft hyphens, the byte-order mark) make two values look alike that are not.
            if ((char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Validates a normalised value; null when it is acceptable.</summary>
    public InvalidReason? Validate(string value, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > MaxLength)
        {
            return InvalidReason.TooLong;
        }

        if (HasForbiddenCharacters(value))
        {
            return InvalidReason.ForbiddenCharacters;
        }

        return Name switch
        {
            FieldCatalogue.IdNumber => ResidentIdNumber.Validate(value, today) switch
            {
                ResidentIdCheck.Valid => null,
                ResidentIdCheck.WrongCheckCharacter => InvalidReason.CheckDigit,
                ResidentIdCheck.InvalidBirthDate => InvalidReason.BirthDate,
                ResidentIdCheck.UnknownRegion => InvalidReason.Region,
                _ => InvalidReason.Format,
            },
            FieldCatalogue.Mobile => MobileNumber.IsValid(value) ? null : InvalidReason.Format,
            FieldCatalogue.Landline => ContactFormats.IsLandline(value) ? null : InvalidReason.Format,
            FieldCatalogue.Email => ContactFormats.IsEmail(value) ? null : InvalidReason.Format,
            FieldCatalogue.BankCard => BankCard.IsValid(value) ? null : value.All(char.IsAsciiDigit) ? InvalidReason.CheckDigit : InvalidReason.Format,
            FieldCatalogue.CreditCode => UnifiedSocialCreditCode.IsValid(value) ? null : InvalidReason.CheckDigit,
            _ => null,
        };
    }

    /// <summary>The canonical stored form: identifiers compacted, the rest trimmed.</summary>
    public string Normalise(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Name switch
        {
            FieldCatalogue.IdNumber or FieldCatalogue.BankCard or FieldCatalogue.CreditCode => Recognisers.Normalise.Compact(value),
            FieldCatalogue.Mobile => Recognisers.Normalise.Phone(value),
            FieldCatalogue.Email => Recognisers.Normalise.Email(value),
            FieldCatalogue.Landline => Recognisers.Normalise.Width(value).Replace(" ", "", StringComparison.Ordinal).Trim(),
            _ => Recognisers.Normalise.Width(value).Trim(),
        };
    }
}

/// <summary>A change to a field's defaults, from configuration: its level, its mask, or both.</summary>
public sealed record FieldOverride(Sensitivity? Level, MaskRule? Mask);

/// <summary>
/// The field catalogue (CLS-1, CLS-4). <see cref="Default"/> carries the levels of the policies: bank
/// accounts, cards, investments and ID numbers are core (3); assets, income, transactions and amounts
/// sensitive (2); name, contact, address, employer, preferences, complaints and service notes general (1).
/// An organisation changes levels and masks with <see cref="With"/>; the fields themselves, their
/// validation and their indexes are fixed.
/// </summary>
public sealed class FieldCatalogue
{
    public const string Name = "name";
    public const string IdNumber = "idNumber";
    public const string Mobile = "mobile";
    public const string Landline = "landline";
    public const string Email = "email";
    public const string Address = "address";
    public const string Employer = "employer";
    public const string BankCard = "bankCard";
    public const string BankAccount = "bankAccount";
    public const string Investments = "investments";
    public const string Assets = "assets";
    public const string Income = "income";
    public const string Orders = "orders";
    public const string ServiceNotes = "serviceNotes";
    public const string Complaints = "complaints";
    public const string Preferences = "preferences";
    public const string CreditCode = "creditCode";
    public const string LegalRepresentative = "legalRepresentative";
    public const string BusinessScope = "businessScope";
    public const string StrategyNotes = "strategyNotes";

    public static FieldCatalogue Default { get; } = new(
    [
        new(Name, FieldGroup.Identity, Sensitivity.General, MaskKind.Name, IndexedKind.Name, 100),
        new(IdNumber, FieldGroup.Identity, Sensitivity.Core, MaskKind.IdNumber, IndexedKind.IdNumber, 32),
        new(Mobile, FieldGroup.Contact, Sensitivity.General, MaskKind.Mobile, IndexedKind.Phone, 20),
        new(Landline, FieldGroup.Contact, Sensitivity.General, MaskKind.Landline, null, 20),
        new(Email, FieldGroup.Contact, Sensitivity.General, MaskKind.Email, IndexedKind.Email, 254),
        new(Address, FieldGroup.Contact, Sensitivity.General, MaskKind.Address, null, 300),
        new(Employer, FieldGroup.Identity, Sensitivity.General, MaskKind.Full, null, 200),
        new(BankCard, FieldGroup.Financial, Sensitivity.Core, MaskKind.BankCard, IndexedKind.CardNumber, 19),
        new(BankAccount, FieldGroup.Financial, Sensitivity.Core, MaskKind.BankCard, null, 40),
        new(Investments, FieldGroup.Financial, Sensitivity.Core, MaskKind.Full, null, 2000),
        new(Assets, FieldGroup.Financial, Sensitivity.Sensitive, MaskKind.Full, null, 2000),
        new(Income, FieldGroup.Financial, Sensitivity.Sensitive, MaskKind.Full, null, 200),
        new(Orders, FieldGroup.Transactions, Sensitivity.Sensitive, MaskKind.Full, null, 4000),
        new(ServiceNotes, FieldGroup.Interactions, Sensitivity.General, MaskKind.Full, null, 4000),
        new(Complaints, FieldGroup.Interactions, Sensitivity.General, MaskKind.Full, null, 4000),
        new(Preferences, FieldGroup.Preferences, Sensitivity.General, MaskKind.Full, null, 2000),
        new(CreditCode, FieldGroup.Business, Sensitivity.General, MaskKind.IdNumber, null, 18),
        new(LegalRepresentative, FieldGroup.Business, Sensitivity.General, MaskKind.Name, null, 100),
        new(BusinessScope, FieldGroup.Business, Sensitivity.General, MaskKind.Full, null, 2000),
        new(StrategyNotes, FieldGroup.Business, Sensitivity.Core, MaskKind.Full, null, 4000),
    ]);

    private readonly Dictionary<string, FieldDefinition> byName;

    private FieldCatalogue(IReadOnlyList<FieldDefinition> fields)
    {
        Fields = fields;
        byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<FieldDefinition> Fields { get; }

    public FieldDefinition? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>
    /// This catalogue with some fields' levels or masks changed. Every problem is reported, naming the field:
    /// an unknown field, or a level outside 1–3.
    /// </summary>
    public FieldCatalogue With(IReadOnlyDictionary<string, FieldOverride> overrides, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var found = new List<string>();
        foreach (var (name, change) in overrides)
        {
            if (!byName.ContainsKey(name))
            {
                found.Add($"{name}: no such field (known: {string.Join(", ", byName.Keys)})");
            }
            else if (change.Level is { } level && !Enum.IsDefined(level))
            {
                found.Add($"{name}: level {(int)level} is not 1, 2 or 3");
            }
        }

        problems = found;
        if (found.Count > 0)
        {
            return this;
        }

        return new FieldCatalogue([.. Fields.Select(f => overrides.TryGetValue(f.Name, out var change)
            ? f with { Level = change.Level ?? f.Level, Mask = change.Mask ?? f.Mask }
            : f)]);
    }

    /// <summary>The stricter of a field's level and its customer's secrecy grade (1 秘密, 2 机密, 3 绝密) (CLS-2).</summary>
    public static int EffectiveProtection(Sensitivity level, int customerGrade) => Math.Max((int)level, customerGrade);
}
