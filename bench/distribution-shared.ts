// What the distribution benchmark (distribution.bench.ts) and its agents' process
// (servers/distribution-agents.ts) share: what goes over the agents' control channel. The clock
// both read is the fan-out's (`wallNow`, fanout-shared.ts).

/** One agent's console a client process is asked to open. */
export interface AgentPlan {
  /** The agent's number in the benchmark (0 … agents − 1). */
  index: number;
  /** The agent's user id (the api's) or a stand-in (the bare server's). */
  userId: string;
  /** The Socket.IO server: the api, or the bare server. */
  url: string;
  /** Bearer token for the api's routes and `handshake.auth.token` for its socket. */
  token: string;
}

/** How the agents behave once available (POST /start), the same against both servers. */
export interface AgentBehaviour {
  /** Where the agents' HTTP requests go (accept, state) and the webhooks they stand in for. */
  base: string;
  /** The base URL the server signs its webhooks with (PUBLIC_BASE_URL), and Twilio's account. */
  publicBaseUrl: string;
  authToken: string;
  accountSid: string;
  /** The daytime line's number (To of the agent's leg). */
  line: string;
  /** Delay between the offer on the console and the agent's accept, uniform in [min, max] ms. */
  answerMs: [number, number];
  /** The call with the caller, from the accept to the end of the agent's leg, [min, max] ms. */
  talkMs: [number, number];
  /** What the agent-leg webhook's answer must hold (`<Hangup` for the api). */
  legAnswerHolds: string;
}

export interface ConnectAnswer {
  connected: number;
  /** Handshakes refused or failed, with Socket.IO's message ("unauthorized" for a bad token). */
  failed: Array<{ index: number; message: string }>;
  ms: number;
}

/** The answer to POST /state: every agent asked PUT /api/agents/me/state, and the statuses. */
export interface StateAnswer {
  statuses: Record<string, number>;
  failed: Array<{ index: number; status: number; body: string }>;
  ms: number;
}

/** One offer an agent's console got, and what the agent did with it. */
export interface OfferRecord {
  callSid: string;
  offerId: string;
  /** wallNow() when the screen pop arrived on the socket. */
  at: number;
  /** The pop's `at` (the service's clock when it offered the call), ISO. */
  offeredAt: string;
  /** The agent was still holding another offer or call (from its pop until its PUT AVAILABLE). */
  overlapping: boolean;
  /** HTTP statuses of the accept, the agent's leg ending (Dial's action) and PUT AVAILABLE. */
  accept: number;
  leg: number;
  /** The agent-leg answer did not hold what it should (`legAnswerHolds`). */
  legWrong: boolean;
  available: number;
  /** Accept request → answer, ms. */
  acceptMs: number;
  /** The cycle is over (available again, or stopped by a failed request). */
  done: boolean;
}

/** What one agent's console got since the last collect. */
export interface AgentRecord {
  index: number;
  offers: OfferRecord[];
  /** `call.offer-ended` events (declined, expired, caller gone): none is expected here. */
  offersEnded: Array<{ offerId: string; reason: string }>;
  /** Other events by type (`agent.state` of the agent's agency, `call.answered`…). */
  otherEvents: Record<string, number>;
  /** 'disconnect' events seen (reconnection is off: any is a failure). */
  disconnects: number;
  /** Request errors (connection refused, timeouts), with the request. */
  errors: string[];
}

export interface CountAnswer {
  /** Offers received since the last collect, and how many of their cycles are over. */
  offers: number;
  done: number;
}

export interface CollectAnswer {
  records: AgentRecord[];
  /** The client process's event-loop delay since the last collect (ms): its own queueing. */
  loopDelayMs: { p50: number; p99: number; max: number };
}
