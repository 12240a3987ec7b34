// Types shared by main.bicep and main.bicepparam.

@export()
@description('A Kafka cluster the app may act on; deployed as the Clusters__<index>__* settings.')
type managedCluster = {
  @description('Namespace of the cluster resource (Clusters__N__Namespace).')
  namespace: string

  @description('Name of the cluster resource (Clusters__N__Name).')
  name: string

  @description('Kind of the cluster resource (Clusters__N__Kind). Default: KafkaCluster (Koperator).')
  kind: ('KafkaCluster' | 'KafkaNodePool')?

  @description('Never scale below this many brokers (Clusters__N__MinBrokers).')
  @minValue(1)
  minBrokers: int

  @description('Never scale above this many brokers (Clusters__N__MaxBrokers).')
  @minValue(1)
  maxBrokers: int

  @description('More settings of this cluster, named below Clusters__N__, for example { CruiseControl__Url: \'http://…\' }.')
  settings: object?
}
