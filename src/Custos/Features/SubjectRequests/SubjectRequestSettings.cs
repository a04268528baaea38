namespace Custos.Features.SubjectRequests;

/// <summary><c>Custos:SubjectRequests</c>: how long the company gives itself to answer an individual's request, and when the handler is reminded (PIPL art. 44–47).</summary>
public sealed class SubjectRequestSettings
{
    /// <summary>Working days (Monday to Friday, company time) from the day a request arrives to the last day for its answer; 1–60.</summary>
    public int DeadlineWorkingDays { get; set; } = 15;

    /// <summary>Working days before the deadline the handler is reminded; 0 up to less than the deadline.</summary>
    public int RemindWorkingDaysBefore { get; set; } = 3;

    public void Validate()
    {
        if (DeadlineWorkingDays is < 1 or > 60 || RemindWorkingDaysBefore < 0 || RemindWorkingDaysBefore >= DeadlineWorkingDays)
        {
            throw new InvalidOperationException("Custos:SubjectRequests: DeadlineWorkingDays 1–60, RemindWorkingDaysBefore 0 to less than DeadlineWorkingDays.");
        }
    }
}
