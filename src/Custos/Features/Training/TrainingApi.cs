using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Training;

/// <summary>Confidentiality training and examinations over REST (PPL-2).</summary>
internal static class TrainingApi
{
    public sealed record SubmitRequest(Dictionary<Guid, string>? Answers = null);

    public static void Map(RouteGroupBuilder api)
    {
        var training = api.MapGroup("/training").WithTags("Training");
        var own = new GateAttribute(Gate.OwnAccount);
        var roles = new GateAttribute(Gate.RoleChecked);

        training.MapGet("/courses", async (TrainingService service, CancellationToken ct) => TypedResults.Ok(await service.CoursesAsync(ct)))
            .WithMetadata(own).WithName("ListCourses").WithSummary("The courses, with the caller's certificate and standing in each");

        training.MapGet("/courses/{code}", async (string code, TrainingService service, CancellationToken ct) =>
            {
                var (course, material) = await service.CourseAsync(code, ct);
                return TypedResults.Ok(new { course, material });
            })
            .WithMetadata(own).WithName("GetCourse").WithSummary("A course's material (Markdown)").ProducesProblem(404);

        training.MapGet("/courses/{code}/material.pdf", async (string code, TrainingService service, CancellationToken ct) =>
            {
                var (content, name) = await service.PdfAsync(code, ct);
                return TypedResults.File(content, "application/pdf", name);
            })
            .WithMetadata(own).WithName("GetCoursePdf").WithSummary("A course's material as PDF, when it has one").ProducesProblem(404);

        training.MapPut("/courses/{code}/material.pdf", async (string code, IFormFile file, TrainingService service, CancellationToken ct) =>
            {
                if (file.Length is 0 or > TrainingService.MaxPdfBytes)
                {
                    throw CustosException.Invalid("CoursePdf", TrainingService.MaxPdfBytes / 1024 / 1024);
                }

                using var buffer = new MemoryStream();
                await using (var content = file.OpenReadStream())
                {
                    await content.CopyToAsync(buffer, ct);
                }

                return TypedResults.Ok(new { sha256 = await service.SetPdfAsync(code, buffer.ToArray(), file.FileName, ct) });
            })
            .DisableAntiforgery() // an API call (bearer or same-site cookie), not a page form
            .WithMetadata(roles).WithName("SetCoursePdf").WithSummary("Put a PDF as a course's material (compliance officer); it replaces the one before")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        training.MapPost("/courses/{code}/exams", async (string code, TrainingService service, CancellationToken ct) => TypedResults.Ok(await service.StartAsync(code, ct)))
            .WithMetadata(own).WithName("StartExam")
            .WithSummary("Start the caller's exam: questions drawn at random, a deadline from the time limit (an open one is returned as it is)")
            .ProducesProblem(403).ProducesProblem(404);

        training.MapGet("/exams/{id:guid}", async (Guid id, TrainingService service, CancellationToken ct) => TypedResults.Ok(await service.ExamAsync(id, ct)))
            .WithMetadata(own).WithName("GetExam").WithSummary("The caller's own exam, without the answers").ProducesProblem(404);

        training.MapPost("/exams/{id:guid}/submit", async (Guid id, SubmitRequest request, TrainingService service, CancellationToken ct) =>
                TypedResults.Ok(await service.SubmitAsync(id, request.Answers ?? [], ct)))
            .WithMetadata(own).WithName("SubmitExam")
            .WithSummary("Submit the answers once, within the time limit; a pass gives a certificate and renews the training standing")
            .ProducesProblem(404).ProducesProblem(409);

        training.MapPost("/courses/{code}/questions", async (string code, List<NewQuestion> questions, TrainingService service, CancellationToken ct) =>
                TypedResults.Ok(new { added = await service.AddQuestionsAsync(code, questions, ct) }))
            .WithMetadata(roles).WithName("AddQuestions").WithSummary("Add questions to a course's bank (compliance officer); all or none")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        training.MapGet("/results", async (TrainingService service, CancellationToken ct) => TypedResults.Ok(await service.ResultsAsync(ct)))
            .WithMetadata(roles).WithName("GetTrainingResults").WithSummary("Results per person and required course (compliance, auditors; department heads for their departments)")
            .ProducesProblem(403);

        training.MapGet("/results.{format}", async (string format, TrainingService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var file = await service.ExportResultsAsync(format, text, ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithMetadata(roles).WithName("ExportTrainingResults").WithSummary("Training results as xlsx or pdf, for performance reviews").ProducesProblem(400).ProducesProblem(403);
    }
}
