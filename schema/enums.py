"""GraphQL enums, wrapping the Python enums the models use."""

from __future__ import annotations

import strawberry

from db import enums

Role = strawberry.enum(enums.Role)
SessionStatus = strawberry.enum(enums.SessionStatus)
Attendance = strawberry.enum(enums.Attendance)
Mood = strawberry.enum(enums.Mood)
MoodTrajectory = strawberry.enum(enums.MoodTrajectory)
RiskSeverity = strawberry.enum(enums.RiskSeverity)
NoteSource = strawberry.enum(enums.NoteSource)
ExportFormat = strawberry.enum(enums.ExportFormat)
JobStatus = strawberry.enum(enums.JobStatus)
SpeakerRole = strawberry.enum(enums.SpeakerRole)
