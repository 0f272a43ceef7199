using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of reports of messages (API.md §9).</summary>
internal static class ReportEndpoints
{
    public static void Map(ChatRouteMapper map) =>
        map.Post("/rooms/{roomId}/messages/{messageId}/reports", Report, "DfChatReportMessage", "Reports a message to the host's moderators (readers); 202, handled in the background.", "Moderation")
            .WithMetadata(new DfChatRequestBody(typeof(ReportRequest), "application/json"));

    private static async Task<Results<Accepted, ProblemHttpResult>> Report(
        HttpContext http, IChatReportService reports, string roomId, string messageId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<ReportRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        var result = await reports.ReportAsync(ChatHttp.Caller(http), roomId, messageId, body!, cancellationToken);
        return result.Succeeded ? TypedResults.Accepted((string?)null) : ChatHttp.ToProblem(result.Error!);
    }
}
