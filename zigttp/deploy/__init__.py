"""Deployment configs from proven contracts (`zigttp build HANDLER -Ddeploy=aws`).

facts.py reads a contract into platform-independent ProvenFacts; sam.py
renders the AWS SAM template; package.py writes the Lambda package the
template points at; report.py the deploy report. aws.py puts them together.
The function itself runs `zigttp_host.aws_lambda`.
"""

from .aws import TARGETS, DeployResult, write_deployment
from .facts import DeployError

__all__ = ["TARGETS", "DeployError", "DeployResult", "write_deployment"]
