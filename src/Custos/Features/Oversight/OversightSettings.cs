namespace Custos.Features.Oversight;

/// <summary><c>Custos:Assessments</c>: when the monthly risk assessment falls due and when people are reminded (AUD-3).</summary>
public sealed class OversightSettings
{
    /// <summary>The day of the month (company time) by whose end the assessment is signed off; 5–28 (after the first working day it opens on).</summary>
    public int DueDay { get; set; } = 10;

    /// <summary>How many days before the due day the department heads are reminded.</summary>
    public int RemindDaysBefore { get; set; } = 2;

    /// <summary>A corrective action's owner is reminded this many days before it is due.</summary>
    public int ActionRemindDaysBefore { get; set; } = 2;

    /// <summary>From this score (likelihood × impact, 1–25) an item counts as high risk.</summary>
    public int HighScore { get; set; } = 15;

    public void Validate()
    {
        if (DueDay is < 5 or > 28 || RemindDaysBefore is < 0 or > 27 || ActionRemindDaysBefore is < 0 or > 60 || HighScore is < 1 or > 25)
        {
            throw new InvalidOperationException("Custos:Assessments: DueDay 5–28, RemindDaysBefore 0–27, ActionRemindDaysBefore 0–60, HighScore 1–25.");
        }
    }
}
