using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace HostApp.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConversationThreadsMentionsPins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "MentionCount",
                table: "ChatRoomUsers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Mentions",
                table: "ChatMessages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PinnedAt",
                table: "ChatMessages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ThreadId",
                table: "ChatMessages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ThreadLastReplyAt",
                table: "ChatMessages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ThreadReplyCount",
                table: "ChatMessages",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ChatMessageEdits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoomId = table.Column<long>(type: "bigint", nullable: false),
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: true),
                    EditedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChatMessageEdits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ChatMessageEdits_ChatMessages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "ChatMessages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ChatMessageMentions",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    RoomId = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChatMessageMentions", x => new { x.MessageId, x.UserId });
                    table.ForeignKey(
                        name: "FK_ChatMessageMentions_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ChatMessageMentions_ChatMessages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "ChatMessages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ChatMessagePins",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    RoomId = table.Column<long>(type: "bigint", nullable: false),
                    PinnedBy = table.Column<string>(type: "text", nullable: true),
                    PinnedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChatMessagePins", x => x.MessageId);
                    table.ForeignKey(
                        name: "FK_ChatMessagePins_AspNetUsers_PinnedBy",
                        column: x => x.PinnedBy,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ChatMessagePins_ChatMessages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "ChatMessages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChatRoomUsers_RoomId_LastSeenAt_Id",
                table: "ChatRoomUsers",
                columns: new[] { "RoomId", "LastSeenAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_RoomId_ThreadId_Id",
                table: "ChatMessages",
                columns: new[] { "RoomId", "ThreadId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_ThreadId",
                table: "ChatMessages",
                column: "ThreadId");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessageEdits_MessageId_Id",
                table: "ChatMessageEdits",
                columns: new[] { "MessageId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessageMentions_RoomId_UserId_CreatedAt",
                table: "ChatMessageMentions",
                columns: new[] { "RoomId", "UserId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessageMentions_UserId",
                table: "ChatMessageMentions",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessagePins_PinnedBy",
                table: "ChatMessagePins",
                column: "PinnedBy");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessagePins_RoomId_PinnedAt_MessageId",
                table: "ChatMessagePins",
                columns: new[] { "RoomId", "PinnedAt", "MessageId" });

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMessages_ChatMessages_ThreadId",
                table: "ChatMessages",
                column: "ThreadId",
                principalTable: "ChatMessages",
                principalColumn: "Id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ChatMessages_ChatMessages_ThreadId",
                table: "ChatMessages");

            migrationBuilder.DropTable(
                name: "ChatMessageEdits");

            migrationBuilder.DropTable(
                name: "ChatMessageMentions");

            migrationBuilder.DropTable(
                name: "ChatMessagePins");

            migrationBuilder.DropIndex(
                name: "IX_ChatRoomUsers_RoomId_LastSeenAt_Id",
                table: "ChatRoomUsers");

            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_RoomId_ThreadId_Id",
                table: "ChatMessages");

            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_ThreadId",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "MentionCount",
                table: "ChatRoomUsers");

            migrationBuilder.DropColumn(
                name: "Mentions",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "PinnedAt",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "ThreadId",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "ThreadLastReplyAt",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "ThreadReplyCount",
                table: "ChatMessages");
        }
    }
}
